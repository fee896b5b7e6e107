/**
 * TRON `Transaction.raw` for a single `TriggerSmartContract` call, without tronweb: protobuf encode and
 * decode, the JSON form nodes return, and the transaction id (SHA-256 of the raw bytes).
 */
import { X402Error } from '@x402kit/core';
import { bytesToHex, type Hex, hexToBytes, sha256 } from 'viem';
import { toTronAddress, toTronHex } from './address.js';
import type { TronRawDataJson, TronTransaction } from './node-schemas.js';
import { ProtoDecodeError, type ProtoField, ProtoWriter, readProtoFields, toInt64 } from './protobuf.js';
import { TronReasons } from './reasons.js';

/** `Transaction.Contract.ContractType.TriggerSmartContract`. */
export const TRIGGER_SMART_CONTRACT_TYPE = 31;
/** `google.protobuf.Any.type_url` of a TriggerSmartContract. */
export const TRIGGER_SMART_CONTRACT_TYPE_URL = 'type.googleapis.com/protocol.TriggerSmartContract';

/**
 * Reason codes of {@link TronTransactionError}.
 *
 * @example
 * const r: TronTransactionReason = 'tron_tx_fee_limit_too_high';
 */
export type TronTransactionReason =
  | typeof TronReasons.txMalformed
  | typeof TronReasons.txIdMismatch
  | typeof TronReasons.txRawDataMismatch
  | typeof TronReasons.txContractType
  | typeof TronReasons.txOwnerMismatch
  | typeof TronReasons.txContractMismatch
  | typeof TronReasons.txDataMismatch
  | typeof TronReasons.txCallValueMismatch
  | typeof TronReasons.txTokenValue
  | typeof TronReasons.txFeeLimitTooHigh
  | typeof TronReasons.txExpired
  | typeof TronReasons.txPermissionMismatch
  | typeof TronReasons.invalidSignature
  | typeof TronReasons.invalidPrivateKey;

/**
 * A TRON transaction that is malformed or is not the one we asked for.
 *
 * @example
 * try { checkTriggerTransaction(tx, expected) } catch (e) { if (e instanceof TronTransactionError) console.log(e.reason) }
 */
export class TronTransactionError extends X402Error {
  override name = 'TronTransactionError';
  declare readonly reason: TronTransactionReason;

  constructor(reason: TronTransactionReason, message: string, cause?: unknown) {
    super(reason, message, cause === undefined ? undefined : { cause });
  }
}

/**
 * The `TriggerSmartContract` inside a transaction. Addresses Base58Check; bytes `0x` hex.
 *
 * @example
 * const call: TriggerSmartContractCall = { owner: 'T…', contract: 'T…', callValue: 0n, data: '0xa9059cbb…', callTokenValue: 0n, tokenId: 0n };
 */
export type TriggerSmartContractCall = {
  owner: string;
  contract: string;
  callValue: bigint;
  data: Hex;
  callTokenValue: bigint;
  tokenId: bigint;
};

/**
 * A decoded `Transaction.raw` holding one TriggerSmartContract. Byte fields are `0x` hex; times are
 * milliseconds; absent fields are 0 or `0x`.
 *
 * @example
 * const raw: TriggerTransactionRaw = decodeTriggerTransaction(tx.raw_data_hex);
 */
export type TriggerTransactionRaw = {
  refBlockBytes: Hex;
  refBlockNum: bigint;
  refBlockHash: Hex;
  expiration: number;
  /** Memo bytes (`raw.data`). */
  data: Hex;
  timestamp: number;
  feeLimit: number;
  permissionId: number;
  call: TriggerSmartContractCall;
};

function hex(value: string | undefined): Hex {
  return `0x${(value ?? '').replace(/^0x/, '').toLowerCase()}`;
}

function bytes(value: Hex): Uint8Array {
  return hexToBytes(value);
}

function malformed(problem: string, cause?: unknown): TronTransactionError {
  return new TronTransactionError(TronReasons.txMalformed, `the transaction is malformed: ${problem}`, cause);
}

/**
 * Protobuf-encodes a raw transaction; returns `raw_data_hex` (lowercase, no `0x`, as TRON writes it).
 *
 * @example
 * const rawDataHex = encodeTriggerTransactionRaw(raw);
 * tronTransactionId(rawDataHex); // the txID
 */
export function encodeTriggerTransactionRaw(raw: TriggerTransactionRaw): string {
  const call = new ProtoWriter()
    .bytes(1, hexToBytes(`0x${toTronHex(raw.call.owner)}`))
    .bytes(2, hexToBytes(`0x${toTronHex(raw.call.contract)}`))
    .varint(3, raw.call.callValue)
    .bytes(4, bytes(raw.call.data))
    .varint(5, raw.call.callTokenValue)
    .varint(6, raw.call.tokenId)
    .finish();
  const any = new ProtoWriter()
    .bytes(1, new TextEncoder().encode(TRIGGER_SMART_CONTRACT_TYPE_URL))
    .bytes(2, call)
    .finish();
  const contract = new ProtoWriter()
    .varint(1, TRIGGER_SMART_CONTRACT_TYPE)
    .bytes(2, any)
    .varint(5, raw.permissionId)
    .finish();
  const out = new ProtoWriter()
    .bytes(1, bytes(raw.refBlockBytes))
    .varint(3, raw.refBlockNum)
    .bytes(4, bytes(raw.refBlockHash))
    .varint(8, raw.expiration)
    .bytes(10, bytes(raw.data))
    .bytes(11, contract)
    .varint(14, raw.timestamp)
    .varint(18, raw.feeLimit)
    .finish();
  return bytesToHex(out).slice(2);
}

/**
 * The transaction id: SHA-256 of the raw bytes, lowercase hex without `0x` (TRON's `txID`).
 *
 * @throws {TronTransactionError} `tron_tx_malformed` when `rawDataHex` is not hex.
 * @example
 * tronTransactionId(tx.raw_data_hex) === tx.txID;
 */
export function tronTransactionId(rawDataHex: string): string {
  return sha256(rawBytes(rawDataHex)).slice(2);
}

function rawBytes(rawDataHex: string): Uint8Array {
  const body = typeof rawDataHex === 'string' ? rawDataHex.replace(/^0x/, '') : '';
  if (body.length === 0 || body.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(body))
    throw malformed('raw_data_hex is not hex');
  return hexToBytes(`0x${body}`);
}

function safeNumber(field: ProtoField, name: string): number {
  if (field.wire !== 'varint') throw malformed(`${name} has the wrong wire type`);
  const v = toInt64(field.value);
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`${name} is out of range`);
  return Number(v);
}

function int64(field: ProtoField, name: string): bigint {
  if (field.wire !== 'varint') throw malformed(`${name} has the wrong wire type`);
  return toInt64(field.value);
}

function lengthDelimited(field: ProtoField, name: string): Uint8Array {
  if (field.wire !== 'bytes') throw malformed(`${name} has the wrong wire type`);
  return field.bytes;
}

function address(value: Uint8Array, name: string): string {
  if (value.length !== 21 || value[0] !== 0x41) throw malformed(`${name} is not a 21-byte TRON address`);
  return toTronAddress(bytesToHex(value).slice(2));
}

function decodeCall(value: Uint8Array): TriggerSmartContractCall {
  const call: TriggerSmartContractCall = {
    owner: '',
    contract: '',
    callValue: 0n,
    data: '0x',
    callTokenValue: 0n,
    tokenId: 0n,
  };
  for (const f of readProtoFields(value)) {
    if (f.field === 1) call.owner = address(lengthDelimited(f, 'owner_address'), 'owner_address');
    else if (f.field === 2)
      call.contract = address(lengthDelimited(f, 'contract_address'), 'contract_address');
    else if (f.field === 3) call.callValue = int64(f, 'call_value');
    else if (f.field === 4) call.data = bytesToHex(lengthDelimited(f, 'data'));
    else if (f.field === 5) call.callTokenValue = int64(f, 'call_token_value');
    else if (f.field === 6) call.tokenId = int64(f, 'token_id');
    else throw malformed(`TriggerSmartContract has unknown field ${f.field}`);
  }
  if (!call.owner || !call.contract)
    throw malformed('TriggerSmartContract lacks owner_address or contract_address');
  return call;
}

function decodeContract(value: Uint8Array): { call: TriggerSmartContractCall; permissionId: number } {
  let type = 0;
  let any: Uint8Array | undefined;
  let permissionId = 0;
  for (const f of readProtoFields(value)) {
    if (f.field === 1) type = safeNumber(f, 'contract.type');
    else if (f.field === 2) any = lengthDelimited(f, 'contract.parameter');
    else if (f.field === 5) permissionId = safeNumber(f, 'contract.Permission_id');
    else throw malformed(`Transaction.Contract has unexpected field ${f.field}`);
  }
  if (type !== TRIGGER_SMART_CONTRACT_TYPE) {
    throw new TronTransactionError(
      TronReasons.txContractType,
      `the transaction holds contract type ${type}, not TriggerSmartContract (${TRIGGER_SMART_CONTRACT_TYPE})`,
    );
  }
  if (!any) throw malformed('the contract has no parameter');
  let typeUrl = '';
  let call: TriggerSmartContractCall | undefined;
  for (const f of readProtoFields(any)) {
    if (f.field === 1) typeUrl = new TextDecoder().decode(lengthDelimited(f, 'parameter.type_url'));
    else if (f.field === 2) call = decodeCall(lengthDelimited(f, 'parameter.value'));
    else throw malformed(`google.protobuf.Any has unknown field ${f.field}`);
  }
  if (typeUrl !== TRIGGER_SMART_CONTRACT_TYPE_URL) {
    throw new TronTransactionError(
      TronReasons.txContractType,
      `the contract parameter is ${JSON.stringify(typeUrl)}, not a TriggerSmartContract`,
    );
  }
  if (!call) throw malformed('the contract parameter has no value');
  return { call, permissionId };
}

/**
 * Decodes `raw_data_hex` of a single-TriggerSmartContract transaction. Unknown fields, several contracts
 * or another contract type are refused: what is signed must be fully understood.
 *
 * @throws {TronTransactionError} `tron_tx_malformed` or `tron_tx_contract_type`.
 * @example
 * decodeTriggerTransaction(tx.raw_data_hex).call.data; // '0xa9059cbb…'
 */
export function decodeTriggerTransaction(rawDataHex: string): TriggerTransactionRaw {
  const input = rawBytes(rawDataHex);
  try {
    const raw: Omit<TriggerTransactionRaw, 'call' | 'permissionId'> = {
      refBlockBytes: '0x',
      refBlockNum: 0n,
      refBlockHash: '0x',
      expiration: 0,
      data: '0x',
      timestamp: 0,
      feeLimit: 0,
    };
    let contract: { call: TriggerSmartContractCall; permissionId: number } | undefined;
    for (const f of readProtoFields(input)) {
      if (f.field === 1) raw.refBlockBytes = bytesToHex(lengthDelimited(f, 'ref_block_bytes'));
      else if (f.field === 3) raw.refBlockNum = int64(f, 'ref_block_num');
      else if (f.field === 4) raw.refBlockHash = bytesToHex(lengthDelimited(f, 'ref_block_hash'));
      else if (f.field === 8) raw.expiration = safeNumber(f, 'expiration');
      else if (f.field === 10) raw.data = bytesToHex(lengthDelimited(f, 'data'));
      else if (f.field === 11) {
        if (contract) throw malformed('the transaction holds more than one contract');
        contract = decodeContract(lengthDelimited(f, 'contract'));
      } else if (f.field === 14) raw.timestamp = safeNumber(f, 'timestamp');
      else if (f.field === 18) raw.feeLimit = safeNumber(f, 'fee_limit');
      else throw malformed(`Transaction.raw has unexpected field ${f.field}`);
    }
    if (!contract) throw malformed('the transaction holds no contract');
    return { ...raw, permissionId: contract.permissionId, call: contract.call };
  } catch (error) {
    if (error instanceof TronTransactionError) throw error;
    if (error instanceof ProtoDecodeError || error instanceof X402Error)
      throw malformed(error.message, error);
    throw error;
  }
}

/**
 * Reads the `raw_data` JSON a node returns (hex or Base58 addresses) into the decoded form, so it can be
 * compared with `raw_data_hex`.
 *
 * @throws {TronTransactionError} `tron_tx_malformed` / `tron_tx_contract_type`.
 * @example
 * encodeTriggerTransactionRaw(triggerRawFromJson(tx.raw_data)) === tx.raw_data_hex;
 */
export function triggerRawFromJson(json: TronRawDataJson): TriggerTransactionRaw {
  const contract = json.contract[0];
  if (!contract || json.contract.length !== 1) throw malformed('raw_data must hold exactly one contract');
  if (contract.type !== 'TriggerSmartContract') {
    throw new TronTransactionError(
      TronReasons.txContractType,
      `raw_data holds a ${contract.type}, not a TriggerSmartContract`,
    );
  }
  const v = contract.parameter.value;
  const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
  const int = (x: unknown): bigint => (typeof x === 'number' && Number.isSafeInteger(x) ? BigInt(x) : 0n);
  try {
    return {
      refBlockBytes: hex(json.ref_block_bytes),
      refBlockNum: 0n,
      refBlockHash: hex(json.ref_block_hash),
      expiration: json.expiration,
      data: hex(json.data),
      timestamp: json.timestamp ?? 0,
      feeLimit: json.fee_limit ?? 0,
      permissionId: contract.Permission_id ?? 0,
      call: {
        owner: toTronAddress(str(v.owner_address) ?? ''),
        contract: toTronAddress(str(v.contract_address) ?? ''),
        callValue: int(v.call_value),
        data: hex(str(v.data)),
        callTokenValue: int(v.call_token_value),
        tokenId: int(v.token_id),
      },
    };
  } catch (error) {
    throw malformed(error instanceof Error ? error.message : String(error), error);
  }
}

/**
 * Renders a raw transaction as the unsigned transaction JSON nodes use (`visible: false`, 41-hex addresses),
 * with `raw_data_hex` and `txID` computed.
 *
 * @example
 * const tx = buildTriggerTransaction(raw); // { txID, raw_data, raw_data_hex, visible: false }
 */
export function buildTriggerTransaction(raw: TriggerTransactionRaw): TronTransaction {
  const rawDataHex = encodeTriggerTransactionRaw(raw);
  const value: Record<string, unknown> = {
    owner_address: toTronHex(raw.call.owner),
    contract_address: toTronHex(raw.call.contract),
    data: raw.call.data.slice(2),
  };
  if (raw.call.callValue !== 0n) value.call_value = Number(raw.call.callValue);
  if (raw.call.callTokenValue !== 0n) value.call_token_value = Number(raw.call.callTokenValue);
  if (raw.call.tokenId !== 0n) value.token_id = Number(raw.call.tokenId);
  const rawData: TronRawDataJson = {
    contract: [
      {
        parameter: { value, type_url: TRIGGER_SMART_CONTRACT_TYPE_URL },
        type: 'TriggerSmartContract',
        ...(raw.permissionId ? { Permission_id: raw.permissionId } : {}),
      },
    ],
    ref_block_bytes: raw.refBlockBytes.slice(2),
    ref_block_hash: raw.refBlockHash.slice(2),
    expiration: raw.expiration,
    ...(raw.data !== '0x' ? { data: raw.data.slice(2) } : {}),
    ...(raw.feeLimit ? { fee_limit: raw.feeLimit } : {}),
    ...(raw.timestamp ? { timestamp: raw.timestamp } : {}),
  };
  return { visible: false, txID: tronTransactionId(rawDataHex), raw_data: rawData, raw_data_hex: rawDataHex };
}
