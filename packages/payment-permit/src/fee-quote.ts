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

/**
 * A fee table's `amount` as atomic units: a bigint as is, a decimal string (or number) of digits
 * parsed; `undefined` for anything else (negative, fractional, not a number), for the caller to
 * reject with the entry's path.
 *
 * @example
 * feeTableAmount('100'); // 100n
 * feeTableAmount('0.5'); // undefined
 */
export function feeTableAmount(amount: string | bigint): bigint | undefined {
  if (typeof amount === 'bigint') return amount < 0n ? undefined : amount;
  return /^\d+$/.test(String(amount)) ? BigInt(amount) : undefined;
}
