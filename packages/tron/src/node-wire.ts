/**
 * Request bodies of the TRON HTTP API (`visible: false`: `41…` hex addresses, hex bytes without `0x`,
 * int64 as JSON numbers), built from typed parameters and validated before anything is sent.
 */
import { toTronHex } from './address.js';
import { TronNodeError } from './node-error.js';
import { TronReasons } from './reasons.js';

/**
 * A contract call: either `functionSelector` (`'transfer(address,uint256)'`) with ABI-encoded `parameter`,
 * or the full calldata in `data`. Addresses in any TRON form.
 *
 * @example
 * const call: TronContractCall = { contract: 'TXYZ…', functionSelector: 'balanceOf(address)', parameter: '000…' };
 */
export type TronContractCall = {
  contract: string;
  owner?: string;
  functionSelector?: string;
  /** ABI-encoded arguments (without selector), hex, `0x` optional. */
  parameter?: string;
  /** Full calldata (selector and arguments), hex, `0x` optional; excludes `functionSelector`/`parameter`. */
  data?: string;
  /** TRX sent with the call, in SUN. */
  callValue?: bigint | number;
};

/**
 * Parameters of {@link TronNodeClient.triggerSmartContract}: a call that becomes a transaction.
 *
 * @example
 * const p: TriggerSmartContractParameters = { owner: 'T…', contract: 'T…', functionSelector: 'approve(address,uint256)', parameter, feeLimit: 100_000_000 };
 */
export type TriggerSmartContractParameters = TronContractCall & {
  owner: string;
  /** Max TRX (SUN) burned for energy. */
  feeLimit: bigint | number;
  /** Account permission to sign with (multisig); omitted = owner permission. */
  permissionId?: number;
};

const ZERO_OWNER = `41${'0'.repeat(40)}`;

/**
 * The body shared by `/wallet/triggerconstantcontract` and `/wallet/triggersmartcontract`.
 *
 * @throws {TronNodeError} `invalid_tron_node_request`; {@link TronAddressError} for a bad address.
 * @example
 * callBody({ contract: 'T…', functionSelector: 'balanceOf(address)', parameter: '00…' }, '/wallet/triggerconstantcontract');
 */
export function callBody(c: TronContractCall, path: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    owner_address: c.owner === undefined ? ZERO_OWNER : toTronHex(c.owner),
    contract_address: toTronHex(c.contract),
    visible: false,
  };
  if (c.data !== undefined) {
    if (c.functionSelector !== undefined || c.parameter !== undefined) {
      throw requestError(path, 'give either data or functionSelector/parameter, not both');
    }
    body.data = readHex(c.data, 'data', path);
  } else {
    if (!c.functionSelector || !/^[A-Za-z_$][\w$]*\(.*\)$/.test(c.functionSelector)) {
      throw requestError(
        path,
        `functionSelector must look like 'name(type,...)', got ${JSON.stringify(c.functionSelector)}`,
      );
    }
    body.function_selector = c.functionSelector;
    body.parameter = c.parameter === undefined ? '' : readHex(c.parameter, 'parameter', path);
  }
  if (c.callValue !== undefined) body.call_value = wireInteger(c.callValue, 'callValue', path);
  return body;
}

/**
 * A `invalid_tron_node_request` error for a bad value we were about to send.
 *
 * @example
 * throw requestError('/wallet/getaccount', 'address is missing');
 */
export function requestError(path: string, problem: string): TronNodeError {
  return new TronNodeError(TronReasons.nodeRequest, `${path}: ${problem}`, { path });
}

function readHex(value: string, field: string, path: string): string {
  const body = typeof value === 'string' ? value.replace(/^0x/, '') : '';
  if (!/^[0-9a-fA-F]*$/.test(body) || body.length % 2 !== 0)
    throw requestError(path, `${field} must be hex bytes`);
  return body.toLowerCase();
}

/**
 * A transaction id as the API wants it: 64 lowercase hex digits (`0x` accepted on input).
 *
 * @throws {TronNodeError} `invalid_tron_node_request`.
 * @example
 * readTxId('0xAB…', '/wallet/gettransactionbyid'); // 'ab…'
 */
export function readTxId(id: string, path: string): string {
  const body = typeof id === 'string' ? id.replace(/^0x/, '') : '';
  if (!/^[0-9a-fA-F]{64}$/.test(body))
    throw requestError(path, 'a transaction id is 32 bytes as 64 hex digits');
  return body.toLowerCase();
}

/**
 * TRON's JSON carries int64 as JSON numbers; we only send values a JavaScript number holds exactly.
 *
 * @throws {TronNodeError} `invalid_tron_node_request` for negatives or values of 2^53 and more.
 * @example
 * wireInteger(100_000_000n, 'feeLimit', '/wallet/triggersmartcontract'); // 100000000
 */
export function wireInteger(value: bigint | number, field: string, path: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (!Number.isSafeInteger(n) || n < 0 || (typeof value === 'bigint' && BigInt(n) !== value)) {
    throw requestError(path, `${field} must be a non-negative integer below 2^53, got ${String(value)}`);
  }
  return n;
}
