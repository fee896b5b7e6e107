/**
 * `PaymentPermit` reverts -> reason codes: the custom errors by name, the contract's string
 * reverts (`"Payment failed"`, `"Fee failed"`) and token reverts by their text.
 */
import { BaseError, ContractFunctionRevertedError } from 'viem';
import { errorText } from '../error-text.js';
import { type ExactPermitReason, ExactPermitReasons } from './reasons.js';

const BY_ERROR_NAME: Readonly<Record<string, ExactPermitReason>> = {
  InvalidCaller: ExactPermitReasons.callerMismatch,
  NonceAlreadyUsed: ExactPermitReasons.nonceAlreadyUsed,
  InvalidNonce: ExactPermitReasons.invalidNonce,
  InvalidTimestamp: ExactPermitReasons.expired,
  InvalidSignature: ExactPermitReasons.signature,
  BuyerMismatch: ExactPermitReasons.buyerMismatch,
  InvalidKind: ExactPermitReasons.kind,
};

/**
 * The reason for a failed `permitTransferFrom` call (simulation or send).
 *
 * @example permitErrorReason(error) // 'invalid_exact_permit_nonce_already_used'
 */
export function permitErrorReason(error: unknown): ExactPermitReason {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      const name = reverted.data?.errorName;
      const mapped = name ? BY_ERROR_NAME[name] : undefined;
      if (mapped) return mapped;
    }
  }
  return permitErrorReasonFromText(errorText(error));
}

/**
 * The reason for a revert known only by its text.
 *
 * @example permitErrorReasonFromText('execution reverted: NonceAlreadyUsed()') // 'invalid_exact_permit_nonce_already_used'
 */
export function permitErrorReasonFromText(text: string): ExactPermitReason {
  for (const [name, reason] of Object.entries(BY_ERROR_NAME)) if (text.includes(name)) return reason;
  if (/allowance/i.test(text)) return ExactPermitReasons.insufficientAllowance;
  if (/balance/i.test(text)) return ExactPermitReasons.insufficientBalance;
  return ExactPermitReasons.transactionFailed;
}
