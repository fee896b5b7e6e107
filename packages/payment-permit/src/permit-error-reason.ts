/**
 * `PaymentPermit` reverts -> reason codes, by the contract's custom error names, its string reverts
 * (`"Payment failed"`, `"Fee failed"`) and token reverts by their text. Each chain reads the revert
 * its own way (viem's error chain on EVM, raw revert data on TRON) and ends here.
 */
import { type ExactPermitReason, ExactPermitReasons } from './reasons.js';

/**
 * The reason of each `PaymentPermit` custom error, by error name.
 *
 * @example PAYMENT_PERMIT_ERROR_REASONS.NonceAlreadyUsed // 'invalid_exact_permit_nonce_already_used'
 */
export const PAYMENT_PERMIT_ERROR_REASONS: Readonly<Record<string, ExactPermitReason>> = {
  InvalidCaller: ExactPermitReasons.callerMismatch,
  NonceAlreadyUsed: ExactPermitReasons.nonceAlreadyUsed,
  InvalidNonce: ExactPermitReasons.invalidNonce,
  InvalidTimestamp: ExactPermitReasons.expired,
  InvalidSignature: ExactPermitReasons.signature,
  BuyerMismatch: ExactPermitReasons.buyerMismatch,
  InvalidKind: ExactPermitReasons.kind,
};

/**
 * The reason for a revert known only by its text.
 *
 * @example permitErrorReasonFromText('execution reverted: NonceAlreadyUsed()') // 'invalid_exact_permit_nonce_already_used'
 */
export function permitErrorReasonFromText(text: string): ExactPermitReason {
  for (const [name, reason] of Object.entries(PAYMENT_PERMIT_ERROR_REASONS))
    if (text.includes(name)) return reason;
  if (/allowance/i.test(text)) return ExactPermitReasons.insufficientAllowance;
  if (/balance/i.test(text)) return ExactPermitReasons.insufficientBalance;
  return ExactPermitReasons.transactionFailed;
}
