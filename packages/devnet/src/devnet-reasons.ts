import { defineReasons } from '@x402kit/core';

/**
 * Reason codes of the devnet's own errors: a chain that cannot start or be prepared, options it
 * refuses, and the requests its local TRON node and GasFree service reject. None travels in a
 * payment's answer.
 *
 * @example
 * if (error instanceof X402Error && error.reason === DevnetReasons.anvilStart) console.error('is anvil installed?')
 */
export const DevnetReasons = defineReasons('@x402kit/devnet', {
  /** Anvil could not be started ({@link AnvilStartError}). */
  anvilStart: 'devnet_anvil_start_failed',
  /** An option of `startDevnet` / `startAnvil` is invalid ({@link DevnetOptionsError}; `path` names it). */
  options: 'invalid_devnet_options',
  /** Preparing the chain failed after anvil started ({@link DevnetSetupError}; `step` names it). */
  setup: 'devnet_setup_failed',
  /** Anvil answered a JSON-RPC call with an error (`AnvilRpcError`), or with no answer of the shape asked for. */
  anvilRpc: 'devnet_anvil_rpc_error',
  /** The local TRON node rejects a request before doing anything (`TronRequestError`). */
  tronRequest: 'devnet_tron_request_rejected',
  /** A string is not a TRON address in any form the devnet accepts (`TronAddressError`). */
  tronAddress: 'invalid_devnet_tron_address',
  /** The local GasFree service refuses a submit (malformed field or a failed check). */
  gasFreeSubmit: 'devnet_gasfree_submit_refused',
  /** The local Solana RPC answers a call with a JSON-RPC error (`SolanaRpcError`; `code` is Solana's). */
  solanaRpc: 'devnet_solana_rpc_error',
  /** The Solana devnet cannot decode a transaction or finds it unsigned (`SolanaTransactionRejected`). */
  solanaTransaction: 'devnet_solana_transaction_rejected',
});

/**
 * One of {@link DevnetReasons}.
 *
 * @example
 * const r: DevnetReason = 'devnet_setup_failed';
 */
export type DevnetReason = (typeof DevnetReasons)[keyof typeof DevnetReasons];
