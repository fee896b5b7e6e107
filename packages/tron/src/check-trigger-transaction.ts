/**
 * Guarding what we sign: a node builds the transaction (`/wallet/triggersmartcontract`), so before signing
 * we prove it is exactly the call we asked for.
 */
import { sameTronAddress } from './address.js';
import type { TronTransaction } from './node-schemas.js';
import { TronReasons } from './reasons.js';
import {
  decodeTriggerTransaction,
  encodeTriggerTransactionRaw,
  type TriggerTransactionRaw,
  TronTransactionError,
  triggerRawFromJson,
  tronTransactionId,
} from './transaction.js';

/**
 * The call a transaction must make. Addresses in any TRON form; `data` is the full calldata (`0x` optional).
 *
 * @example
 * const expected: ExpectedTriggerCall = { owner: 'T…', contract: 'T…', data: encodeFunctionData(...), maxFeeLimit: 1_000_000_000 };
 */
export type ExpectedTriggerCall = {
  owner: string;
  contract: string;
  data: string;
  /** SUN sent with the call; default 0. */
  callValue?: bigint | number;
  /** Highest acceptable `fee_limit` in SUN. */
  maxFeeLimit: bigint | number;
  /** Required `Permission_id` (multisig); when omitted, any permission is accepted. */
  permissionId?: number;
  /** Clock for the expiry check, in ms. Default `Date.now()`. */
  now?: number;
};

function fail(reason: TronTransactionError['reason'], message: string): never {
  throw new TronTransactionError(reason, message);
}

/**
 * Checks a node-built transaction before signing: `txID == sha256(raw_data_hex)`, `raw_data` JSON equals
 * `raw_data_hex`, one TriggerSmartContract with the expected owner, contract, calldata and call value, no
 * TRC-10 token value, `fee_limit <= maxFeeLimit`, not expired. Returns the decoded raw data.
 *
 * @throws {TronTransactionError} with `tron_tx_id_mismatch`, `tron_tx_raw_data_mismatch`, `tron_tx_malformed`,
 *   `tron_tx_contract_type`, `tron_tx_owner_mismatch`, `tron_tx_contract_mismatch`, `tron_tx_data_mismatch`,
 *   `tron_tx_call_value_mismatch`, `tron_tx_token_value`, `tron_tx_fee_limit_too_high`, `tron_tx_expired` or
 *   `tron_tx_permission_mismatch`.
 * @example
 * const tx = await node.triggerSmartContract({ owner, contract, data, feeLimit: 1e9 });
 * checkTriggerTransaction(tx, { owner, contract, data, maxFeeLimit: 1e9 });
 * const signed = signTronTransaction(tx, privateKey);
 */
export function checkTriggerTransaction(
  tx: TronTransaction,
  expected: ExpectedTriggerCall,
): TriggerTransactionRaw {
  const txId = typeof tx.txID === 'string' ? tx.txID.replace(/^0x/, '').toLowerCase() : '';
  if (tronTransactionId(tx.raw_data_hex) !== txId) {
    fail(
      TronReasons.txIdMismatch,
      'txID is not sha256(raw_data_hex): the node sent an inconsistent transaction',
    );
  }
  const raw = decodeTriggerTransaction(tx.raw_data_hex);
  const fromJson = encodeTriggerTransactionRaw(triggerRawFromJson(tx.raw_data));
  if (fromJson !== tx.raw_data_hex.replace(/^0x/, '').toLowerCase()) {
    fail(
      TronReasons.txRawDataMismatch,
      'raw_data (JSON) does not encode to raw_data_hex: refusing to sign what we cannot read',
    );
  }
  const { call } = raw;
  if (!sameTronAddress(call.owner, expected.owner)) {
    fail(TronReasons.txOwnerMismatch, `the transaction is from ${call.owner}, expected ${expected.owner}`);
  }
  if (!sameTronAddress(call.contract, expected.contract)) {
    fail(
      TronReasons.txContractMismatch,
      `the transaction calls ${call.contract}, expected ${expected.contract}`,
    );
  }
  const data = `0x${String(expected.data).replace(/^0x/, '').toLowerCase()}`;
  if (call.data !== data)
    fail(TronReasons.txDataMismatch, 'the transaction calldata differs from the call we asked for');
  if (call.callValue !== BigInt(expected.callValue ?? 0)) {
    fail(
      TronReasons.txCallValueMismatch,
      `the transaction sends ${call.callValue} SUN, expected ${expected.callValue ?? 0}`,
    );
  }
  if (call.callTokenValue !== 0n || call.tokenId !== 0n) {
    fail(TronReasons.txTokenValue, 'the transaction sends a TRC-10 token value, which we never ask for');
  }
  if (BigInt(raw.feeLimit) > BigInt(expected.maxFeeLimit)) {
    fail(
      TronReasons.txFeeLimitTooHigh,
      `fee_limit ${raw.feeLimit} SUN exceeds the allowed ${expected.maxFeeLimit}`,
    );
  }
  const now = expected.now ?? Date.now();
  if (raw.expiration <= now) {
    fail(
      TronReasons.txExpired,
      `the transaction expired at ${new Date(raw.expiration).toISOString()}; build a new one`,
    );
  }
  if (expected.permissionId !== undefined && raw.permissionId !== expected.permissionId) {
    fail(
      TronReasons.txPermissionMismatch,
      `the transaction uses permission ${raw.permissionId}, expected ${expected.permissionId}`,
    );
  }
  return raw;
}
