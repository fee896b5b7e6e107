/**
 * Revert names of the proxies and Permit2 -> reason strings (the reference's mapping, in its order).
 */
import { Permit2Reasons } from './reasons.js';

const MAX_MESSAGE = 500;

/**
 * Map a failed settle's error text to a reason. Unknown failures keep the reference's
 * `invalid_exact_evm_transaction_failed: <first 500 chars>` form.
 *
 * @example permit2SettleErrorReason('execution reverted: PaymentTooEarly()') // 'permit2_payment_too_early'
 */
export function permit2SettleErrorReason(message: string): string {
  if (message.includes('Permit2612AmountMismatch')) return Permit2Reasons.permit2612AmountMismatch;
  if (message.includes('InvalidAmount')) return Permit2Reasons.invalidAmount;
  if (message.includes('InvalidDestination')) return Permit2Reasons.invalidDestination;
  if (message.includes('InvalidOwner')) return Permit2Reasons.invalidOwner;
  if (message.includes('PaymentTooEarly')) return Permit2Reasons.paymentTooEarly;
  if (message.includes('InvalidSignature') || message.includes('SignatureExpired'))
    return Permit2Reasons.invalidSignature;
  if (message.includes('InvalidNonce')) return Permit2Reasons.invalidNonce;
  if (message.includes(Permit2Reasons.erc20ApprovalTxFailed))
    return Permit2Reasons.erc20ApprovalBroadcastFailed;
  if (message.includes('AmountExceedsPermitted')) return Permit2Reasons.uptoAmountExceedsPermitted;
  if (message.includes('UnauthorizedFacilitator')) return Permit2Reasons.uptoUnauthorizedFacilitator;
  return `${Permit2Reasons.exactTransactionFailed}: ${message.slice(0, MAX_MESSAGE)}`;
}
