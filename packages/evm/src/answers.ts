/**
 * The refusal answers every EVM scheme gives, over core's builders: one place for the argument
 * order the settle paths use (network first). The "unexpected" answers of the facilitators are
 * core's scheme lifetime's (`createSchemeLifetime`).
 */
import { Reasons, type SettleResponse, settleRefusal, type VerifyResponse } from '@x402kit/core';
import type { RelayedSettlement } from './relayer/relayed-call.js';

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

/**
 * The answer of a settlement whose re-verification refused the payment: that refusal's reason (else
 * `fallback`), message and payer, no transaction.
 *
 * @example if (!response.isValid || !verified) return unverifiedSettle(network, response)
 */
export function unverifiedSettle(
  network: string,
  response: VerifyResponse,
  fallback: string = Reasons.invalidPayload,
): SettleResponse {
  return settleFailure(
    network,
    response.invalidReason ?? fallback,
    '',
    response.payer,
    response.invalidMessage,
  );
}

/**
 * The answer of a relayed settlement that was not mined: a refused send with the scheme's reason for
 * the node's message (`refusedReason`), else `settlement_pending` with the hash (it may still land).
 *
 * @example if (sent.kind !== 'mined') return unminedSettle(network, payer, sent, transferErrorReason)
 */
export function unminedSettle(
  network: string,
  payer: string,
  sent: Exclude<RelayedSettlement, { kind: 'mined' }>,
  refusedReason: (message: string) => string,
): SettleResponse {
  if (sent.kind === 'refused')
    return settleFailure(network, refusedReason(sent.message), '', payer, sent.message);
  return settleFailure(network, Reasons.settlementPending, sent.hash, payer, sent.message);
}
