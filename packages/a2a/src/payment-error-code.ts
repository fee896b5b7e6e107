/**
 * `x402.payment.error`: the short code the A2A extension puts on a failed payment. The spec lists
 * common codes (a2a-x402 spec §9.1); our reason codes (the ones on the HTTP wire) are mapped onto
 * them, and the exact reason still travels in the receipt's `errorReason`.
 */

/** The common error codes of the x402 extension for A2A. */
export const PaymentErrorCodes = {
  insufficientFunds: 'INSUFFICIENT_FUNDS',
  invalidSignature: 'INVALID_SIGNATURE',
  expiredPayment: 'EXPIRED_PAYMENT',
  duplicateNonce: 'DUPLICATE_NONCE',
  networkMismatch: 'NETWORK_MISMATCH',
  invalidAmount: 'INVALID_AMOUNT',
  settlementFailed: 'SETTLEMENT_FAILED',
} as const;

// first match wins: a reason code naming one of these is given that spec code
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/insufficient/, PaymentErrorCodes.insufficientFunds],
  [/signature|sigerror/, PaymentErrorCodes.invalidSignature],
  [/valid_before|valid_after|deadline|expired|not_yet_valid/, PaymentErrorCodes.expiredPayment],
  [/nonce|duplicate_settlement/, PaymentErrorCodes.duplicateNonce],
  [/network/, PaymentErrorCodes.networkMismatch],
  [/value|amount/, PaymentErrorCodes.invalidAmount],
];

/**
 * The spec's code for one of our reason codes. A reason no common code fits is given in upper case
 * (`invalid_payload` -> `INVALID_PAYLOAD`), except after a settlement attempt, which is
 * `SETTLEMENT_FAILED`.
 *
 * @example
 * paymentErrorCode('invalid_exact_evm_signature') // 'INVALID_SIGNATURE'
 * paymentErrorCode('invalid_exact_evm_transaction_failed', 'settle') // 'SETTLEMENT_FAILED'
 */
export function paymentErrorCode(reason: string, stage: 'verify' | 'settle' = 'verify'): string {
  const code = reason.split(':')[0] ?? reason;
  for (const [pattern, spec] of RULES) if (pattern.test(code)) return spec;
  if (stage === 'settle') return PaymentErrorCodes.settlementFailed;
  return code.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}
