/**
 * Reason codes of `exact_permit` on TRON. Where a failure means the same as on EVM, the code is
 * the EVM one ({@link ExactPermitReasons}: `invalid_exact_permit_amount_mismatch`, `…_nonce_already_used`,
 * …), so dashboards see one list across chains. The TRON-only codes below cover what EVM has no
 * counterpart for: Base58Check addresses, network id forms, TRON receipts and the client's approve.
 */
import { defineReasons, shareReasons } from '@x402kit/core';
import { ExactPermitReasons } from '@x402kit/payment-permit';

/**
 * Every reason the TRON `exact_permit` roles answer with: the EVM ones plus the TRON-only ones.
 *
 * @example
 * if (response.invalidReason === ExactPermitTronReasons.addressChecksum) console.log('mistyped address');
 */
export const ExactPermitTronReasons = defineReasons('@x402kit/tron/exact-permit', {
  ...shareReasons(ExactPermitReasons),
  /** An address field (permit or requirements) fails its Base58Check checksum: a typo. */
  addressChecksum: 'invalid_exact_permit_tron_address_checksum',
  /** An address field is not a TRON address at all (length, prefix, alphabet). */
  address: 'invalid_exact_permit_tron_address',
  /** The settlement ran out of energy (`fee_limit` too low for the token). */
  outOfEnergy: 'invalid_exact_permit_tron_out_of_energy',
  /** Client side: the `approve` to PaymentPermit did not succeed on chain. */
  approvalFailed: 'invalid_exact_permit_tron_approval_failed',
  /** Client side: the allowance is short and `approve` is `'never'` (or there is no node to send it). */
  approvalRequired: 'invalid_exact_permit_tron_approval_required',
  /** Options given to a factory are wrong (see the message for the field). */
  config: 'invalid_exact_permit_tron_config',
});

/**
 * One of {@link ExactPermitTronReasons}. Failures of the node or of a node-built transaction keep the
 * primitive codes of `@x402kit/tron` (`tron_tx_contract_mismatch`, `tron_broadcast_sigerror`, …).
 *
 * @example
 * const r: ExactPermitTronReason = 'invalid_exact_permit_tron_address_checksum';
 */
export type ExactPermitTronReason = (typeof ExactPermitTronReasons)[keyof typeof ExactPermitTronReasons];
