/**
 * Taking a client's `payment-submitted` message for an A2A task: the payment is read and matched
 * against the task's offer, refused when it already pays for another task or another payment of this
 * task is being granted or pending, and otherwise granted once (one payment, one task, one run).
 */
import { TaskState, type TaskStatusUpdateEvent } from '@a2a-js/sdk';
import { AgentEvent, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server';
import {
  type AnyPaymentRequired,
  PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type SettleResponse,
  settleRefusal,
} from '@x402kit/core';
import { canonicalJson } from '@x402kit/core/internal';
import { grantPayment, type MatchedPayment } from './grant-payment.js';
import type { Grant, PaidExecutorState, PaymentRun } from './paid-executor-state.js';
import { PaymentErrorCodes, paymentErrorCode } from './payment-error-code.js';
import { type PaymentUpdate, paymentStatusUpdate } from './payment-status-update.js';
import { StampingEventBus } from './stamping-event-bus.js';
import { readTaskPayment } from './task-payment.js';
import { PaymentMetadataKeys, PaymentStatuses } from './x402-extension.js';

/**
 * Take the payment the task's `payment-submitted` message carries, for the offer the task asked.
 *
 * @example
 * await takePayment(state, ctx, bus, readTaskPayment(ctx.task).required)
 */
export async function takePayment(
  state: PaidExecutorState,
  ctx: RequestContext,
  taskBus: ExecutionEventBus,
  asked: AnyPaymentRequired,
): Promise<void> {
  const run = openRun(state, ctx, taskBus);
  const payment = matchPayment(state, run, asked);
  if (!payment) return;
  const key = canonicalJson(payment.payload.payload);
  // no await from here until the grant is noted: two requests cannot both find the payment free
  const prior = priorGrant(state, run, key, payment);
  if (prior === 'refused') return;
  if (prior) {
    // the request ends with the status that other grant gave the task
    const outcome = await prior.outcome;
    if (outcome) taskBus.publish(AgentEvent.statusUpdate(outcome));
    return;
  }
  await noteGrant(state, run, key, payment);
}

/** The run of one request: its status updates go to the task's bus and the last one is noted. */
function openRun(state: PaidExecutorState, ctx: RequestContext, taskBus: ExecutionEventBus): PaymentRun {
  let last: TaskStatusUpdateEvent | undefined;
  const bus = new StampingEventBus(taskBus, (event) => {
    if (event.kind === 'statusUpdate') last = event.data;
    return event;
  });
  const publish = (update: PaymentUpdate) =>
    bus.publish(AgentEvent.statusUpdate(paymentStatusUpdate(ctx, update)));
  const earlier = readTaskPayment(ctx.task).receipts;
  const fail = (reason: string, message: string, code: string, receipt: SettleResponse) => {
    state.emit('info', `a2a payment refused: ${reason}`, { taskId: ctx.taskId });
    publish({
      state: TaskState.TASK_STATE_FAILED,
      status: PaymentStatuses.failed,
      text: `Payment failed: ${reason}${message ? ` (${message})` : ''}`,
      metadata: {
        [PaymentMetadataKeys.error]: code,
        [PaymentMetadataKeys.receipts]: [...earlier, receipt],
      },
    });
  };
  return { ctx, bus, publish, fail, earlier, last: () => last };
}

/** The message's payment and the offer it matches; undefined when the task failed for it. */
function matchPayment(
  state: PaidExecutorState,
  run: PaymentRun,
  asked: AnyPaymentRequired,
): MatchedPayment | undefined {
  const parsed = PaymentPayload.safeParse(run.ctx.userMessage.metadata?.[PaymentMetadataKeys.payload]);
  const network = asked.accepts[0]?.network ?? '';
  if (!parsed.success) {
    const reason = Reasons.invalidPayload;
    const detail = 'x402.payment.payload is not an x402 v2 PaymentPayload';
    run.fail(reason, detail, paymentErrorCode(reason), settleRefusal(reason, detail, network));
    return undefined;
  }
  const payload = parsed.data;
  const offered = asked.x402Version === 2 ? asked.accepts : [];
  const requirements = state.server.findMatchingRequirements(offered, payload);
  if (!requirements) {
    const reason = Reasons.noMatchingRequirements;
    const detail = 'the payment is not for an offer of this task';
    run.fail(reason, detail, unmatchedCode(offered, payload), settleRefusal(reason, detail, network));
    return undefined;
  }
  return { payload, requirements, asked };
}

/**
 * Another grant this payment must wait for, `'refused'` when the task was told this payment is not
 * used, or undefined when it is free to be granted. Synchronous, so the caller notes its grant before
 * another request can look.
 */
function priorGrant(
  state: PaidExecutorState,
  run: PaymentRun,
  key: string,
  payment: MatchedPayment,
): Grant | 'refused' | undefined {
  const { ctx } = run;
  const other = state.active.get(key) ?? state.granted.get(key);
  // the same payment sent again for this task while it is being paid: once that grant is
  // done, the task's status it ended with again (the requests waiting on this task end there)
  if (other?.taskId === ctx.taskId) return other;
  if (other) {
    refuseSpentPayment(state, run, key, payment.requirements);
    return 'refused';
  }
  // another payment is being granted for this task: this one is neither verified nor settled
  // (two payments would buy one task), and the request ends with the status that grant gave it
  const running = state.activeByTask.get(ctx.taskId);
  if (running) return running;
  const pendingKey = state.pendingByTask.get(ctx.taskId);
  if (pendingKey !== undefined && pendingKey !== key) {
    refuseWhilePending(run, payment);
    return 'refused';
  }
  return undefined;
}

/** The task fails: this payment already pays (or paid) for another task. */
function refuseSpentPayment(
  state: PaidExecutorState,
  run: PaymentRun,
  key: string,
  requirements: PaymentRequirements,
): void {
  const receipt = state.granted.get(key)?.receipt;
  const reason = Reasons.duplicateSettlement;
  const message = receipt
    ? `this payment was already settled in transaction ${receipt.transaction}; one payment buys one task`
    : 'this payment is already paying for another task; one payment buys one task';
  const refusal = settleRefusal(
    reason,
    message,
    requirements.network,
    receipt?.transaction ?? '',
    receipt?.payer,
  );
  run.fail(reason, message, PaymentErrorCodes.duplicateNonce, refusal);
}

/** Another payment of this task is pending: it may still land, so this one is not used. */
function refuseWhilePending(run: PaymentRun, { requirements, asked }: MatchedPayment): void {
  const transaction = run.earlier.findLast((r) => r.errorReason === Reasons.settlementPending)?.transaction;
  const reason = Reasons.duplicateSettlement;
  const message = `a settlement for this task is pending${transaction ? ` in transaction ${transaction}` : ''}; send that same payment again (this payment was not used)`;
  run.publish({
    state: TaskState.TASK_STATE_INPUT_REQUIRED,
    status: PaymentStatuses.failed,
    text: `Payment not used: ${message}`,
    metadata: {
      [PaymentMetadataKeys.required]: asked,
      [PaymentMetadataKeys.error]: PaymentErrorCodes.duplicateNonce,
      [PaymentMetadataKeys.receipts]: [...run.earlier, settleRefusal(reason, message, requirements.network)],
    },
  });
}

/** Grant the payment, noted as in progress for its key and task until done, then as granted or pending. */
async function noteGrant(
  state: PaidExecutorState,
  run: PaymentRun,
  key: string,
  payment: MatchedPayment,
): Promise<void> {
  const { taskId } = run.ctx;
  const grant = grantPayment(state, run, payment);
  const entry: Grant = {
    taskId,
    outcome: grant.then(
      () => run.last(),
      () => run.last(),
    ),
  };
  state.active.set(key, entry);
  state.activeByTask.set(taskId, entry);
  try {
    const receipt = await grant;
    if (receipt) state.granted.set(key, { ...entry, receipt });
    if (!receipt && state.server.isSettlementPending(payment.payload, payment.requirements))
      state.pendingByTask.set(taskId, key);
    else state.pendingByTask.delete(taskId);
  } finally {
    state.active.delete(key);
    state.activeByTask.delete(taskId);
  }
}

/** A payment matching no offer: wrong amount or wrong network when an offer says so. */
function unmatchedCode(offered: PaymentRequirements[], payload: PaymentPayload): string {
  const { accepted } = payload;
  if (!offered.some((o) => o.network === accepted.network)) return PaymentErrorCodes.networkMismatch;
  if (offered.some((o) => o.network === accepted.network && o.amount !== accepted.amount))
    return PaymentErrorCodes.invalidAmount;
  return paymentErrorCode(Reasons.noMatchingRequirements);
}
