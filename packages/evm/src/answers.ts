/**
 * The refusal answers every EVM scheme gives, over core's builders: one place for the argument
 * order the settle paths use (network first) and for the "unexpected" answers of the facilitators.
 */
import {
  Reasons,
  type SettleResponse,
  settleRefusal,
  type VerifyResponse,
  verifyRefusal,
} from '@x402kit/core';

/**
 * A failed settlement; `transaction` is the hash when one was broadcast, else `''`.
 *
 * @example settleFailure('eip155:84532', 'invalid_exact_evm_transaction_failed', hash, payer, 'reverted')
 */
export function settleFailure(
  network: string,
  errorReason: string,
  transaction: string,
  payer: string | undefined,
  errorMessage?: string,
): SettleResponse {
  return settleRefusal(errorReason, errorMessage, network, transaction, payer);
}

/** A verification that failed for a reason that is not the payment's (a closed facilitator, an exception). */
export function unexpectedVerify(message: string, payer?: string): VerifyResponse {
  return verifyRefusal(Reasons.unexpectedVerifyError, message, payer);
}

/** A settlement that failed for a reason that is not the payment's. */
export function unexpectedSettle(message: string, network: string, payer?: string): SettleResponse {
  return settleRefusal(Reasons.unexpectedSettleError, message, network, '', payer);
}
