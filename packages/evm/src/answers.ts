/**
 * The refusal answers every EVM scheme gives, over core's builders: one place for the argument
 * order the settle paths use (network first). The "unexpected" answers of the facilitators are
 * core's scheme lifetime's (`createSchemeLifetime`).
 */
import { type SettleResponse, settleRefusal } from '@x402kit/core';

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
