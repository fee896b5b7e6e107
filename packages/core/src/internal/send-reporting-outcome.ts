/**
 * How every paying transport (fetch, MCP, A2A) ends a payment it sent: it tells the client engine
 * how the payment ended, so a budget keeps a paid one, gives back a refused one, and keeps counting
 * one whose answer was lost (the payment may have left). Browser-safe: no Node module.
 */
import type { PaymentOutcome } from '../budget/budget.js';
import type { X402Client } from '../client.js';
import type { AnyPaymentPayload, SettleResponse } from '../protocol/schemas.js';
import { type ResendWhilePendingSteps, resendWhilePending } from './resend-while-pending.js';

/** What an answer says of its payment: how it ended, and the receipt it carried, if any. */
export type AnswerOutcome = { outcome: PaymentOutcome; settlement?: SettleResponse };

/**
 * Runs `send` (the request carrying `payload`), sends it again while the answer reads pending when
 * `pending` says how ({@link resendWhilePending}), and reports to `client` what the last answer says
 * (`read`), or `unknown` when sending threw; then returns that answer or rethrows.
 *
 * @example
 * const answer = await sendReportingOutcome(client, payload, () => fetch(paidRequest), (res) => ({ outcome: outcomeOf(res), settlement: getPaymentResponse(res) }))
 */
export async function sendReportingOutcome<T>(
  client: Pick<X402Client, 'reportOutcome'>,
  payload: AnyPaymentPayload,
  send: () => Promise<T>,
  read: (answer: T) => AnswerOutcome,
  pending?: Omit<ResendWhilePendingSteps<T>, 'resend'>,
): Promise<T> {
  let answer: T;
  try {
    answer = await send();
    if (pending) answer = await resendWhilePending(answer, { ...pending, resend: send });
  } catch (error) {
    await client.reportOutcome(payload, 'unknown');
    throw error;
  }
  const { outcome, settlement } = read(answer);
  await client.reportOutcome(payload, outcome, settlement);
  return answer;
}
