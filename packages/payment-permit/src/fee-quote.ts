/**
 * `requirements.extra.fee`, as BofAI's servers write it: the facilitator fee of an `exact_permit`
 * offer, in the address form of the offer's chain.
 *
 * @example
 * const fee: ExactPermitFeeQuote = { feeTo: '0x3333…', feeAmount: '100', caller: '0x3333…' };
 */
export type ExactPermitFeeQuote = {
  /** The facilitator's id (BofAI's server copies its facilitator client's id here; optional). */
  facilitatorId?: string;
  feeTo: string;
  /** Atomic units of the payment token, decimal string. */
  feeAmount: string;
  /** The only address allowed to call `permitTransferFrom` (the facilitator's settlement key). */
  caller?: string;
};
