/**
 * `PaymentPermit` reverts on EVM -> reason codes: the custom error viem decoded, by name, else the
 * error's text (the table and the text rules live in `@x402kit/payment-permit`).
 */
import {
  type ExactPermitReason,
  PAYMENT_PERMIT_ERROR_REASONS,
  permitErrorReasonFromText,
} from '@x402kit/payment-permit';
import { BaseError, ContractFunctionRevertedError } from 'viem';
import { errorText } from '../error-text.js';

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
      const mapped = name ? PAYMENT_PERMIT_ERROR_REASONS[name] : undefined;
      if (mapped) return mapped;
    }
  }
  return permitErrorReasonFromText(errorText(error));
}
