/**
 * The grant of one payment no other request of this process is handling, as a pipeline of named
 * steps. After the handler (the default): verify (which reserves the payment for this attempt), run
 * the handler with its output held back, settle, answer. Before the handler
 * (`settle: 'before-handler'`): check, settle, then run the handler for a settled payment only. A
 * retry of a payment whose settlement is pending continues that request's attempt: it skips
 * verification and gets the held output.
 */
import { createAttemptId } from '@x402kit/core';
import type { Call, PaymentFlow, PaymentResult, RunHandler } from './payment-flow.js';
import { failedReply, isPending, paidResponse, pendingReply } from './payment-outcomes.js';
import { runPaidHandler, runSettledHandler } from './run-handler.js';
import { checkBeforeSettling, settlePayment } from './settle-payment.js';
import { verifyPayment } from './verify-payment.js';

/**
 * Grant the payment: the handler's paid response, or the reply that says why not.
 *
 * @example
 * const result = await grantPayment(flow, { ...read, grantKey }, run)
 */
export async function grantPayment(
  flow: PaymentFlow,
  input: Omit<Call, 'attempt'>,
  run: RunHandler,
): Promise<PaymentResult> {
  const { route, payload, requirements } = input;
  // a retry of a payment whose settlement is pending continues that request's attempt; any other
  // request is a new attempt, which the facilitator refuses while another attempt holds the payment
  const resumed = flow.server.takePending(payload, requirements);
  const call: Call = { ...input, attempt: resumed?.attempt ?? createAttemptId() };
  if (route.settle === 'before-handler') return settleThenRun(flow, call, run, resumed !== undefined);

  let output = resumed ? flow.held.take(call.attempt) : undefined;
  if (!resumed) {
    const verdict = await verifyPayment(flow, call);
    if (verdict && 'skipHandler' in verdict) output = verdict.skipHandler;
    else if (verdict) return verdict;
  }
  if (!output) {
    const ran = await runPaidHandler(flow, call, run);
    if ('type' in ran) return ran;
    output = ran;
  }
  const settlement = await settlePayment(flow, call, output.amount);
  if (isPending(settlement)) {
    flow.held.set(call.attempt, output);
    return pendingReply(flow, call, settlement);
  }
  if (!settlement.success) return failedReply(flow, call, settlement);
  return paidResponse(flow, call, output.response, settlement);
}

/** Settle before the handler (`settle: 'before-handler'`): the handler runs only for a settled payment. */
async function settleThenRun(
  flow: PaymentFlow,
  call: Call,
  run: RunHandler,
  resumed: boolean,
): Promise<PaymentResult> {
  if (!resumed) {
    const refusal = await checkBeforeSettling(flow, call);
    if (refusal) return refusal;
  }
  const settlement = await settlePayment(flow, call, undefined);
  if (isPending(settlement)) return pendingReply(flow, call, settlement);
  if (!settlement.success) return failedReply(flow, call, settlement);
  // the money moved: the handler's answer goes out with the receipt, whatever its status
  return paidResponse(flow, call, await runSettledHandler(flow, call, run, settlement), settlement);
}
