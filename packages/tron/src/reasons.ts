import { defineReasons } from '@x402kit/core';

/**
 * Reason codes of the TRON primitives (addresses, networks, tokens, transactions, node client).
 *
 * Scheme-level codes (exact_permit, exact_gasfree) live with their schemes; these are the
 * codes the building blocks below them throw, always through {@link TronError} subclasses.
 *
 * @example
 * import { TronReasons } from '@x402kit/tron';
 * if (error.reason === TronReasons.addressChecksum) console.log('mistyped address');
 */
export const TronReasons = defineReasons('@x402kit/tron', {
  // addresses
  addressChecksum: 'invalid_tron_address_checksum',
  addressPrefix: 'invalid_tron_address_prefix',
  addressLength: 'invalid_tron_address_length',
  addressEncoding: 'invalid_tron_address_encoding',
  // networks and tokens
  unknownNetwork: 'unknown_tron_network',
  tokenConflict: 'tron_token_conflict',
  invalidToken: 'invalid_tron_token',
  // typed data
  invalidPermit: 'invalid_tron_permit',
  invalidSignature: 'invalid_tron_signature',
  invalidPrivateKey: 'invalid_tron_private_key',
  // transactions
  /** Protobuf bytes that do not decode (truncated varint, length past the end, unknown wire type). */
  protobufMalformed: 'tron_protobuf_malformed',
  txMalformed: 'tron_tx_malformed',
  txIdMismatch: 'tron_tx_id_mismatch',
  txRawDataMismatch: 'tron_tx_raw_data_mismatch',
  txContractType: 'tron_tx_contract_type',
  txOwnerMismatch: 'tron_tx_owner_mismatch',
  txContractMismatch: 'tron_tx_contract_mismatch',
  txDataMismatch: 'tron_tx_data_mismatch',
  txCallValueMismatch: 'tron_tx_call_value_mismatch',
  txTokenValue: 'tron_tx_token_value',
  txFeeLimitTooHigh: 'tron_tx_fee_limit_too_high',
  txExpired: 'tron_tx_expired',
  txPermissionMismatch: 'tron_tx_permission_mismatch',
  // node client
  /** The client was configured or called with a bad value (URL, amount, transaction id). */
  nodeRequest: 'invalid_tron_node_request',
  nodeTimeout: 'tron_node_timeout',
  nodeRateLimited: 'tron_node_rate_limited',
  nodeHttpError: 'tron_node_http_error',
  nodeBadResponse: 'tron_node_bad_response',
  /** The node answered 200 with `{ Error: ... }` (a malformed request, an unknown id format). */
  nodeRejected: 'tron_node_rejected',
  nodeContractFailed: 'tron_node_contract_failed',
  /** Prefix of decoded broadcast failures: `tron_broadcast_sigerror`, `tron_broadcast_dup_transaction_error`, ... */
  broadcastPrefix: 'tron_broadcast_',
  waitTimeout: 'tron_tx_wait_timeout',
});

/**
 * One of the fixed TRON reason codes (broadcast codes are open-ended: `tron_broadcast_<code>`).
 *
 * @example
 * const r: TronReason = 'invalid_tron_address_checksum';
 */
export type TronReason = (typeof TronReasons)[keyof typeof TronReasons];
