import { defineReasons } from '@x402kit/core';

/**
 * Reason codes of `@x402kit/evm`'s own errors, those that are not a payment's verdict: options refused
 * when a component is created, and sends the relayer could not complete. Payment verdicts keep core's
 * `Reasons` (exact) and {@link Permit2Reasons} (Permit2, upto).
 *
 * @example
 * if (error instanceof X402Error && error.reason === EvmReasons.config) console.error('fix the option named in', error.message)
 */
export const EvmReasons = defineReasons('@x402kit/evm', {
  /** An option of an EVM component is invalid ({@link EvmConfigError}; `path` names it). */
  config: 'invalid_evm_config',
  /** The `fees` table of `exact_permit` is invalid ({@link FeePolicyError}; `path` names the field). */
  feePolicy: 'invalid_evm_fee_policy',
  /** The node refused a send, or its outcome is unknown ({@link RelayerSendError}). */
  relayerSend: 'evm_relayer_send_failed',
  /** A JSON-RPC node answered out of protocol (no batch, no `result`) when the service read its keys. */
  rpcBadResponse: 'evm_rpc_bad_response',
});

/**
 * One of {@link EvmReasons}.
 *
 * @example
 * const r: EvmReason = 'invalid_evm_config';
 */
export type EvmReason = (typeof EvmReasons)[keyof typeof EvmReasons];
