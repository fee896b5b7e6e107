import { defineReasons, Reasons, sharedReason } from '@x402kit/core';
import { GasFreeReasons } from './gasfree-error.js';

/**
 * Reason codes of the `exact_gasfree` scheme: BofAI's verify strings where BofAI has one (`amount_mismatch`,
 * `fee_to_mismatch`, `invalid_signature`, ...), x402kit codes for the checks BofAI leaves to GasFree.
 *
 * @example
 * if (result.invalidReason === ExactGasFreeReasons.accountInactive) console.log('activate the GasFree account');
 */
export const ExactGasFreeReasons = defineReasons('@x402kit/tron/exact-gasfree', {
  /** The payload is neither the G1 (`paymentPermit` + `extensions.gasfreeAddress`) nor the G2 (`gasfree`) wire. */
  invalidPayload: 'invalid_exact_gasfree_payload',
  /** The requirements' scheme is not `exact_gasfree`. */
  schemeMismatch: 'invalid_exact_gasfree_scheme',
  /** The network is not a TRON network this facilitator serves. */
  unsupportedNetwork: 'invalid_exact_gasfree_network',
  /** The token is not in the facilitator's allow-list. */
  tokenNotAllowed: 'token_not_allowed',
  /** The permit's value is below the required amount. */
  amountMismatch: 'amount_mismatch',
  /** The permit's token is not the required asset. */
  tokenMismatch: 'token_mismatch',
  /** The permit's receiver is not `payTo`. */
  payToMismatch: 'payto_mismatch',
  /** The permit's service provider is not one of the live GasFree providers. */
  feeToMismatch: 'fee_to_mismatch',
  /** The facilitator has no fee for this token. */
  unsupportedToken: 'unsupported_token',
  /** `maxFee` is below the facilitator's fee, or below what GasFree will charge (transfer + activation). */
  feeAmountMismatch: 'fee_amount_mismatch',
  /** The deadline has passed. */
  expired: 'expired',
  /** The deadline is closer than the provider's minimum duration. */
  deadlineTooShort: sharedReason(GasFreeReasons.deadlineTooShort),
  /** The deadline is further than the provider's maximum duration. */
  deadlineTooLong: 'gasfree_deadline_too_long',
  /**
   * The deadline lies past now + the offer's `maxTimeoutSeconds` (or the provider's minimum + 5 s, if more)
   * + 30 s of clock skew.
   */
  deadlineTooFar: 'invalid_exact_gasfree_deadline_too_far',
  /** The TIP-712 signature does not recover the user over the GasFree domain (wrong key, chain id, controller). */
  invalidSignature: 'invalid_signature',
  /** The GasFree account is neither active nor allowed to submit. */
  accountInactive: sharedReason(GasFreeReasons.accountInactive),
  /** The permit's nonce is not the GasFree account's next nonce. */
  nonceMismatch: 'gasfree_nonce_mismatch',
  /** The payload's GasFree address is not the user's. */
  gasFreeAddressMismatch: 'gasfree_address_mismatch',
  /** The GasFree address holds less than value + maxFee. */
  insufficientBalance: 'gasfree_insufficient_balance',
  /** The GasFree API could not be asked (network error, 5xx, bad answer). */
  apiUnavailable: 'gasfree_api_unavailable',
  /** The GasFree API refused the submit (its exception name is in the message). */
  submitRejected: 'gasfree_submit_rejected',
  /** The transfer ended FAILED or ON_CHAIN_FAILED. */
  transferFailed: sharedReason(GasFreeReasons.transferFailed),
  /** The transfer was accepted but had not landed when the wait ended; the trace id or tx hash is returned. */
  settlementPending: sharedReason(Reasons.settlementPending),
});

/**
 * One of {@link ExactGasFreeReasons}.
 *
 * @example
 * const reason: ExactGasFreeReason = 'gasfree_nonce_mismatch';
 */
export type ExactGasFreeReason = (typeof ExactGasFreeReasons)[keyof typeof ExactGasFreeReasons];
