/**
 * Granting one matched payment for an A2A task: verify it (unless its settlement was pending), settle
 * it, and only when the money moved run the paid executor on the message that opened the task, with
 * `payment-completed` and the receipts on every status it publishes.
 */
import { type Message, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutionEvent,
  type ExecutionEventBus,
  RequestContext,
} from '@a2a-js/sdk/server';
import {
  type AnyPaymentRequired,
  createAttemptId,
  type PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type SettleResponse,
  settleRefusal,
} from '@x402kit/core';
import type { PaidExecutorState, PaymentRun } from './paid-executor-state.js';
import { paymentErrorCode } from './payment-error-code.js';
import { agentMessage, paymentStatusUpdate } from './payment-status-update.js';
import { StampingEventBus } from './stamping-event-bus.js';
import { PaymentMetadataKeys, PaymentStatuses } from './x402-extension.js';

/** A payment matched against the task's offer, with the offer it answers. */
export type MatchedPayment = {
  payload: PaymentPayload;
  requirements: PaymentRequirements;
  asked: AnyPaymentRequired;
};

/** The engine's note of one verify/settle call: the attempt and the resource sold. */
type PaymentCall = Parameters<PaidExecutorState['server']['settle']>[2];

/**
 * Verify, settle, then run the paid executor; the settlement when the money moved.
 *
 * @example
 * const receipt = await grantPayment(state, run, { payload, requirements, asked })
 */
export async function grantPayment(
  state: PaidExecutorState,
  run: PaymentRun,
  payment: MatchedPayment,
): Promise<SettleResponse | undefined> {
  const { server } = state;
  const { payload, requirements, asked } = payment;
  const { ctx, earlier } = run;
  const resource = typeof state.resource === 'function' ? state.resource(firstContext(ctx)) : state.resource;
  const resumed = server.takePending(payload, requirements);
  const call = { attempt: resumed?.attempt ?? createAttemptId(), resource };
  if (!resumed && !(await verifyPayment(state, run, payment, call))) return undefined;
  const settled = await server.settle(payload, requirements, call);
  if (!settled.success && server.isSettlementPending(payload, requirements)) {
    // money that may have moved is never reported as failed: the payment stays `payment-verified`
    // (the spec has no pending status), with no error code, and the receipt names
    // `settlement_pending` and the hash; the task waits for the same payment again
    run.publish({
      state: TaskState.TASK_STATE_INPUT_REQUIRED,
      status: PaymentStatuses.verified,
      text: `Payment settlement is pending${settled.transaction ? ` in transaction ${settled.transaction}` : ''}: send the same payment again to continue.`,
      metadata: {
        // the offer stays on the task, so the retry of the same payment is matched against it
        [PaymentMetadataKeys.required]: asked,
        [PaymentMetadataKeys.receipts]: [...earlier, settled],
      },
    });
    return undefined;
  }
  if (!settled.success) {
    const reason = settled.errorReason ?? Reasons.unexpectedSettleError;
    run.fail(reason, settled.errorMessage ?? '', paymentErrorCode(reason, 'settle'), settled);
    return undefined;
  }
  state.emit('info', `a2a payment settled in ${settled.transaction}`, {
    taskId: ctx.taskId,
    network: settled.network,
  });
  const paid = {
    [PaymentMetadataKeys.status]: PaymentStatuses.completed,
    [PaymentMetadataKeys.receipts]: [...earlier, settled],
  };
  await runPaid(state, ctx, run.bus, paid);
  return settled;
}

/** Verify a payment not yet verified: true when valid (the task is told so), else the task fails. */
async function verifyPayment(
  state: PaidExecutorState,
  run: PaymentRun,
  { payload, requirements }: MatchedPayment,
  call: PaymentCall,
): Promise<boolean> {
  const verified = await state.server.verify(payload, requirements, call);
  if (!verified.isValid) {
    const reason = verified.invalidReason ?? Reasons.unexpectedVerifyError;
    const refusal = settleRefusal(reason, verified.invalidMessage, requirements.network, '', verified.payer);
    run.fail(reason, verified.invalidMessage ?? '', paymentErrorCode(reason), refusal);
    return false;
  }
  run.publish({
    state: TaskState.TASK_STATE_WORKING,
    status: PaymentStatuses.verified,
    text: 'Payment verified.',
  });
  return true;
}

/** The paid executor, on the message that opened the task; every status it publishes says paid. */
async function runPaid(
  state: PaidExecutorState,
  ctx: RequestContext,
  bus: ExecutionEventBus,
  paid: Record<string, unknown>,
): Promise<void> {
  const first = firstContext(ctx);
  const working = paymentStatusUpdate(ctx, {
    state: TaskState.TASK_STATE_WORKING,
    status: PaymentStatuses.completed,
    text: 'Payment completed.',
    metadata: paid,
  });
  bus.publish(AgentEvent.statusUpdate(working));
  const task = ctx.task ? { ...ctx.task, status: working.status } : undefined;
  const paidCtx = new RequestContext(
    first.request,
    ctx.taskId,
    ctx.contextId,
    ctx.context,
    task,
    ctx.referenceTasks,
  );
  try {
    await state.executor.execute(paidCtx, stampingBus(bus, paid));
  } catch (error) {
    state.emit('error', 'a2a paid executor failed after settlement', {
      taskId: ctx.taskId,
      error: String(error),
    });
    bus.publish(
      AgentEvent.statusUpdate(
        paymentStatusUpdate(ctx, {
          state: TaskState.TASK_STATE_FAILED,
          status: PaymentStatuses.completed,
          text: `Agent execution error after payment: ${error instanceof Error ? error.message : String(error)}`,
          metadata: paid,
        }),
      ),
    );
  }
}

/** The task's first user message: the request the payment is for. */
function firstContext(ctx: RequestContext): RequestContext {
  const opening = ctx.task?.history.find(
    (m) => m.messageId !== ctx.userMessage.messageId && m.role === ctx.userMessage.role,
  );
  if (!opening) return ctx;
  const message: Message = { ...opening, taskId: ctx.taskId, contextId: ctx.contextId };
  return new RequestContext(
    { ...ctx.request, message },
    ctx.taskId,
    ctx.contextId,
    ctx.context,
    ctx.task,
    ctx.referenceTasks,
  );
}

/** The bus the paid executor publishes on: its status messages carry `payment-completed` and the receipts. */
function stampingBus(bus: ExecutionEventBus, paid: Record<string, unknown>): ExecutionEventBus {
  const stamp = (event: AgentExecutionEvent): AgentExecutionEvent => {
    if (event.kind !== 'statusUpdate' || !event.data.status) return event;
    const { status, taskId, contextId } = event.data;
    const message = status.message ?? agentMessage({ taskId, contextId }, 'Payment completed.');
    return AgentEvent.statusUpdate({
      ...event.data,
      status: { ...status, message: { ...message, metadata: { ...message.metadata, ...paid } } },
    });
  };
  return new StampingEventBus(bus, stamp);
}
