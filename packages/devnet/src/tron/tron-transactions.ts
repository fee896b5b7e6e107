import { X402Error } from '@x402kit/core';
import { deserializeTransaction, txJsonToPb, txPbToRawDataHex, txPbToTxID } from 'tronweb/utils';
import { keccak256, toBytes } from 'viem';
import { DevnetReasons } from '../devnet-reasons.js';
import { tronAddressToBase58, tronAddressToHex } from './tron-address.js';
import type { RefBlockParams } from './tron-blocks.js';

/** `raw_data.contract[0].parameter.value` of a TriggerSmartContract. */
export interface TriggerValueJson {
  data: string;
  owner_address: string;
  contract_address: string;
  call_value?: number;
}

/** A TriggerSmartContract transaction in TRON's JSON shape. */
export interface TronTransactionJson {
  visible: boolean;
  txID: string;
  raw_data: {
    contract: {
      parameter: { value: TriggerValueJson; type_url: string };
      type: 'TriggerSmartContract';
      Permission_id?: number;
    }[];
    ref_block_bytes: string;
    ref_block_hash: string;
    expiration: number;
    fee_limit?: number;
    timestamp: number;
  };
  raw_data_hex: string;
  signature?: string[];
}

/**
 * A request the node rejects before doing anything: answered as `{ Error: message }` like java-tron;
 * reason `devnet_tron_request_rejected`.
 *
 * @example
 * throw new TronRequestError('owner_address is missing')
 */
export class TronRequestError extends X402Error {
  override readonly name = 'TronRequestError';

  constructor(message: string) {
    super(DevnetReasons.tronRequest, message);
  }
}

/** A TriggerSmartContract call as parsed from a request: addresses as `41…` hex, data without `0x`. */
export interface TriggerCall {
  owner: string;
  contract: string;
  data: string;
  callValue: bigint;
  feeLimit: bigint | undefined;
  permissionId: number | undefined;
  visible: boolean;
}

const TYPE_URL = 'type.googleapis.com/protocol.TriggerSmartContract';

type Json = Record<string, unknown>;

function record(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null) throw new TronRequestError(`${what} is missing`);
  return value as Json;
}

function field(body: Json, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0) throw new TronRequestError(`${name} is required`);
  return value;
}

function address(body: Json, name: string): string {
  try {
    return tronAddressToHex(field(body, name));
  } catch (error) {
    if (error instanceof TronRequestError) throw error;
    throw new TronRequestError(`invalid ${name}: ${String(body[name])}`);
  }
}

function integer(body: Json, name: string): bigint | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (
    (typeof value === 'number' && Number.isSafeInteger(value)) ||
    (typeof value === 'string' && /^\d+$/.test(value))
  ) {
    return BigInt(value);
  }
  throw new TronRequestError(`${name} must be an integer`);
}

function hexData(value: string, name: string): string {
  const stripped = value.replace(/^0x/, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(stripped)) throw new TronRequestError(`${name} must be hex`);
  return stripped.toLowerCase();
}

/**
 * Parses the body of `/wallet/triggersmartcontract`, `triggerconstantcontract` and `estimateenergy`: either
 * `function_selector` (+ `parameter`) or raw `data`; addresses Base58 or `41…` hex (as `visible` says).
 *
 * @example
 * ```ts
 * parseTriggerCall({ owner_address: 'T…', contract_address: 'T…', function_selector: 'balanceOf(address)', parameter: '…', visible: true });
 * ```
 */
export function parseTriggerCall(body: Json): TriggerCall {
  const owner = body.owner_address === undefined ? `41${'0'.repeat(40)}` : address(body, 'owner_address');
  const contract = address(body, 'contract_address');
  let data: string;
  if (typeof body.function_selector === 'string' && body.function_selector.length > 0) {
    const selector = body.function_selector.replace(/\s+/g, '');
    const parameter = typeof body.parameter === 'string' ? hexData(body.parameter, 'parameter') : '';
    data = keccak256(toBytes(selector)).slice(2, 10) + parameter;
  } else if (typeof body.data === 'string') {
    data = hexData(body.data, 'data');
  } else {
    data = '';
  }
  const callValue = integer(body, 'call_value') ?? 0n;
  const feeLimit = integer(body, 'fee_limit');
  const permission = integer(body, 'Permission_id');
  return {
    owner,
    contract,
    data,
    callValue,
    feeLimit,
    permissionId: permission === undefined ? undefined : Number(permission),
    visible: body.visible === true || body.visible === 'true',
  };
}

/** Times and reference block of a new transaction. */
export interface TransactionHeader extends RefBlockParams {
  expiration: number;
  timestamp: number;
}

/**
 * Builds the unsigned TriggerSmartContract transaction java-tron returns: `raw_data` in TRON's field order,
 * `raw_data_hex` and `txID` (sha256 of it) from TronWeb's own protobuf encoder, addresses per `visible`.
 *
 * @example
 * ```ts
 * const tx = buildTriggerTransaction(call, { ...refBlockParams(head), expiration, timestamp: Date.now() });
 * ```
 */
export function buildTriggerTransaction(call: TriggerCall, header: TransactionHeader): TronTransactionJson {
  const show = (hex: string) => (call.visible ? tronAddressToBase58(hex) : hex);
  const value: TriggerValueJson = {
    data: call.data,
    owner_address: show(call.owner),
    contract_address: show(call.contract),
  };
  if (call.callValue > 0n) value.call_value = Number(call.callValue);
  const contract: TronTransactionJson['raw_data']['contract'][number] = {
    parameter: { value, type_url: TYPE_URL },
    type: 'TriggerSmartContract',
  };
  if (call.permissionId) contract.Permission_id = call.permissionId;
  const tx: TronTransactionJson = {
    visible: call.visible,
    txID: '',
    raw_data: {
      contract: [contract],
      ref_block_bytes: header.ref_block_bytes,
      ref_block_hash: header.ref_block_hash,
      expiration: header.expiration,
      ...(call.feeLimit === undefined ? {} : { fee_limit: Number(call.feeLimit) }),
      timestamp: header.timestamp,
    },
    raw_data_hex: '',
  };
  const encoded = encodeRawData(tx);
  tx.raw_data_hex = encoded.rawDataHex;
  tx.txID = encoded.txID;
  return tx;
}

/**
 * Protobuf-encodes `raw_data` with TronWeb's encoder: the bytes TRON hashes and signs.
 *
 * @example
 * ```ts
 * const { rawDataHex, txID } = encodeRawData(tx); // txID = sha256(raw_data bytes)
 * ```
 */
export function encodeRawData(tx: Pick<TronTransactionJson, 'raw_data' | 'visible'>): {
  rawDataHex: string;
  txID: string;
} {
  const pb: unknown = txJsonToPb(tx);
  const rawDataHex: unknown = txPbToRawDataHex(pb);
  const txID: unknown = txPbToTxID(pb);
  if (typeof rawDataHex !== 'string' || typeof txID !== 'string') {
    throw new TronRequestError('could not encode raw_data');
  }
  return { rawDataHex: rawDataHex.toLowerCase(), txID: txID.replace(/^0x/, '').toLowerCase() };
}

/**
 * Splits a signed transaction's protobuf (`/wallet/broadcasthex`) into its raw data (field 1) and its
 * signatures (field 2), then decodes the raw data back into TRON's JSON shape.
 *
 * @example
 * ```ts
 * const tx = decodeSignedHex('0a8a01…'); // { raw_data, raw_data_hex, signature, visible: false, txID }
 * ```
 */
export function decodeSignedHex(hex: string): TronTransactionJson {
  const bytes = Buffer.from(hexData(hex, 'transaction'), 'hex');
  let raw: Buffer | undefined;
  const signatures: string[] = [];
  let at = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      if (byte === undefined) throw new TronRequestError('truncated transaction');
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const wire = key & 7;
    if (wire === 0) {
      varint();
      continue;
    }
    if (wire !== 2) throw new TronRequestError('unsupported protobuf field in transaction');
    const length = varint();
    const chunk = bytes.subarray(at, at + length);
    at += length;
    if (key >>> 3 === 1) raw = chunk;
    else if (key >>> 3 === 2) signatures.push(chunk.toString('hex'));
  }
  if (!raw) throw new TronRequestError('transaction has no raw_data');
  const rawDataHex = raw.toString('hex');
  let decoded: unknown;
  try {
    decoded = deserializeTransaction('TriggerSmartContract', rawDataHex);
  } catch (error) {
    throw new TronRequestError(`only TriggerSmartContract is supported: ${String(error)}`);
  }
  const rawJson = record(decoded, 'raw_data');
  const contracts = Array.isArray(rawJson.contract) ? rawJson.contract : [];
  const contract = record(contracts[0], 'raw_data.contract[0]');
  const value = record(record(contract.parameter, 'parameter').value, 'parameter.value');
  const call = parseTriggerCall({
    ...value,
    fee_limit: rawJson.fee_limit || undefined,
    Permission_id: contract.Permission_id || undefined,
  });
  const tx = buildTriggerTransaction(call, {
    ref_block_bytes: String(rawJson.ref_block_bytes).toLowerCase(),
    ref_block_hash: String(rawJson.ref_block_hash).toLowerCase(),
    expiration: Number(rawJson.expiration),
    timestamp: Number(rawJson.timestamp),
  });
  if (tx.raw_data_hex !== rawDataHex) {
    throw new TronRequestError('raw_data carries fields this node does not support');
  }
  tx.signature = signatures;
  return tx;
}
