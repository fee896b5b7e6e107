/**
 * The merchant side of the x402 extension for A2A: an `AgentExecutor` that asks for payment in the
 * task's status message (`input-required`, `payment-required`), takes the client's
 * `payment-submitted` message for that task, has our resource-server engine verify and settle it,
 * and only then runs the paid executor, once per payment; the final task message carries
 * `payment-completed` and the receipts. A refused payment leaves the task `failed` with
 * `payment-failed`, the spec's error code and the receipt that says why.
 */
import { type Message, Role, type Task, TaskState, type TaskStatusUpdateEvent } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutionEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  RequestContext,
} from '@a2a-js/sdk/server';
import {
  type AnyPaymentRequired,
  createAttemptId,
  createEmitter,
  type Log,
  type PaymentOption,
  PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type ResourceInfo,
  type ResourceServer,
  type SettleResponse,
  settleRefusal,
} from '@x402kit/core';
import { canonicalJson, createExpiringMap } from '@x402kit/core/internal';
import { A2aReasons } from './a2a-reasons.js';
import { PaymentErrorCodes, paymentErrorCode } from './payment-error-code.js';
import { type PaymentUpdate, paymentStatusUpdate } from './payment-status-update.js';
import { StampingEventBus } from './stamping-event-bus.js';
import { readTaskPayment } from './task-payment.js';
import { PaymentMetadataKeys, PaymentStatuses, X402_A2A_EXTENSION_URI } from './x402-extension.js';

/** Options of `createPaidAgentExecutor`. */
export type PaidAgentExecutorOptions = {
  /** Our resource-server engine (its facilitators verify and settle). */
  server: ResourceServer;
  /** How the task can be paid; functions get the request that opened the task. */
  accepts: PaymentOption<RequestContext>[];
  /** What is sold, as the `resource` of the `PaymentRequired`. */
  resource: ResourceInfo | ((ctx: RequestContext) => ResourceInfo);
  /** The paid work: runs once per settled payment, with the message that opened the task. */
  executor: AgentExecutor;
  /** Refuse clients that did not activate the extension (default true, as the card declares it required). */
  requireExtension?: boolean;
  log?: Log;
};

/** A payment being granted (or granted) for a task, and the last status it gave the task. */
type Grant = { taskId: string; outcome: Promise<TaskStatusUpdateEvent | undefined> };

/**
 * Wrap an executor so each task is paid before it runs.
 *
 * @example
 * const executor = createPaidAgentExecutor({
 *   server: createResourceServer({ facilitators, schemes: [{ network: 'eip155:*', server: createExactEvmServer() }] }),
 *   accepts: [{ scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.01' }],
 *   resource: { url: 'https://agent.example/skills/forecast', description: 'A forecast' },
 *   executor: forecastExecutor,
 * })
 * const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor)
 */
export function createPaidAgentExecutor(options: PaidAgentExecutorOptions): AgentExecutor {
  const { server, executor } = options;
  const emit = createEmitter(options.log);
  // one payment, one grant in this process: payments being granted, and granted ones (the
  // facilitator's ledger keeps the rule across processes)
  const active = new Map<string, Grant>();
  // one task, one payment: the grant in progress per task, and the payment whose settlement is
  // pending per task (another payment for that task is not taken until it is known)
  const activeByTask = new Map<string, Grant>();
  const pendingByTask = createExpiringMap<string, string>({ ttlMs: 60 * 60_000, maxEntries: 100_000 });
  const granted = createExpiringMap<string, Grant & { receipt: SettleResponse }>({
    ttlMs: 60 * 60_000,
    maxEntries: 100_000,
  });

  async function execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const publish = (update: PaymentUpdate) =>
      bus.publish(AgentEvent.statusUpdate(paymentStatusUpdate(ctx, update)));
    if (!ctx.task) bus.publish(AgentEvent.task(newTask(ctx)));
    if (!activate(ctx)) {
      publish({
        state: TaskState.TASK_STATE_REJECTED,
        status: PaymentStatuses.failed,
        text: `${A2aReasons.extensionRequired}: activate the x402 extension (X-A2A-Extensions: ${X402_A2A_EXTENSION_URI})`,
        metadata: { [PaymentMetadataKeys.error]: A2aReasons.extensionRequired.toUpperCase() },
      });
      return;
    }
    const asked = ctx.task ? readTaskPayment(ctx.task) : undefined;
    const sent = readTaskPayment(ctx.userMessage);
    if (asked?.status === PaymentStatuses.required && sent.status === PaymentStatuses.rejected) {
      publish({
        state: TaskState.TASK_STATE_FAILED,
        status: PaymentStatuses.rejected,
        text: 'The client rejected the payment requirements.',
      });
      return;
    }
    const submitted = sent.status === PaymentStatuses.submitted;
    if (!submitted || !asked?.required) {
      await askForPayment(ctx, publish);
      return;
    }
    await takePayment(ctx, bus, asked.required);
  }

  function activate(ctx: RequestContext): boolean {
    const requested = ctx.context?.requestedExtensions ?? [];
    if (requested.includes(X402_A2A_EXTENSION_URI)) {
      ctx.context?.addActivatedExtension(X402_A2A_EXTENSION_URI);
      return true;
    }
    return options.requireExtension === false;
  }

  async function askForPayment(ctx: RequestContext, publish: (u: PaymentUpdate) => void): Promise<void> {
    const accepts = await server.buildRequirements(options.accepts, ctx);
    const resource = typeof options.resource === 'function' ? options.resource(ctx) : options.resource;
    const required = server.createPaymentRequired(accepts, resource, {
      error: 'Payment required to access this resource',
    });
    publish({
      state: TaskState.TASK_STATE_INPUT_REQUIRED,
      status: PaymentStatuses.required,
      text: 'Payment is required.',
      metadata: { [PaymentMetadataKeys.required]: required },
    });
  }

  async function takePayment(
    ctx: RequestContext,
    taskBus: ExecutionEventBus,
    asked: AnyPaymentRequired,
  ): Promise<void> {
    let last: TaskStatusUpdateEvent | undefined;
    const bus = new StampingEventBus(taskBus, (event) => {
      if (event.kind === 'statusUpdate') last = event.data;
      return event;
    });
    const publish = (update: PaymentUpdate) =>
      bus.publish(AgentEvent.statusUpdate(paymentStatusUpdate(ctx, update)));
    const earlier = readTaskPayment(ctx.task).receipts;
    const fail = (reason: string, message: string, code: string, receipt: SettleResponse) => {
      emit('info', `a2a payment refused: ${reason}`, { taskId: ctx.taskId });
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
    const parsed = PaymentPayload.safeParse(ctx.userMessage.metadata?.[PaymentMetadataKeys.payload]);
    const network = asked.accepts[0]?.network ?? '';
    if (!parsed.success) {
      const reason = Reasons.invalidPayload;
      const detail = 'x402.payment.payload is not an x402 v2 PaymentPayload';
      return fail(reason, detail, paymentErrorCode(reason), settleRefusal(reason, detail, network));
    }
    const payload = parsed.data;
    const offered = asked.x402Version === 2 ? asked.accepts : [];
    const requirements = server.findMatchingRequirements(offered, payload);
    if (!requirements) {
      const reason = Reasons.noMatchingRequirements;
      const detail = 'the payment is not for an offer of this task';
      return fail(reason, detail, unmatchedCode(offered, payload), settleRefusal(reason, detail, network));
    }
    const key = canonicalJson(payload.payload);
    const other = active.get(key) ?? granted.get(key);
    if (other?.taskId === ctx.taskId) {
      // the same payment sent again for this task while it is being paid: once that grant is
      // done, the task's status it ended with again (the requests waiting on this task end there)
      const outcome = await other.outcome;
      if (outcome) taskBus.publish(AgentEvent.statusUpdate(outcome));
      return;
    }
    if (other) {
      const receipt = granted.get(key)?.receipt;
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
      return fail(reason, message, PaymentErrorCodes.duplicateNonce, refusal);
    }
    const running = activeByTask.get(ctx.taskId);
    if (running) {
      // another payment is being granted for this task: this one is neither verified nor settled
      // (two payments would buy one task), and the request ends with the status that grant gave it
      const outcome = await running.outcome;
      if (outcome) taskBus.publish(AgentEvent.statusUpdate(outcome));
      return;
    }
    const pendingKey = pendingByTask.get(ctx.taskId);
    if (pendingKey !== undefined && pendingKey !== key) {
      // another payment of this task is pending: it may still land, so this one is not used
      const transaction = earlier.findLast((r) => r.errorReason === Reasons.settlementPending)?.transaction;
      const reason = Reasons.duplicateSettlement;
      const message = `a settlement for this task is pending${transaction ? ` in transaction ${transaction}` : ''}; send that same payment again (this payment was not used)`;
      publish({
        state: TaskState.TASK_STATE_INPUT_REQUIRED,
        status: PaymentStatuses.failed,
        text: `Payment not used: ${message}`,
        metadata: {
          [PaymentMetadataKeys.required]: asked,
          [PaymentMetadataKeys.error]: PaymentErrorCodes.duplicateNonce,
          [PaymentMetadataKeys.receipts]: [...earlier, settleRefusal(reason, message, requirements.network)],
        },
      });
      return;
    }
    const grant = grantPayment(ctx, bus, publish, fail, { payload, requirements, asked, earlier });
    const entry: Grant = {
      taskId: ctx.taskId,
      outcome: grant.then(
        () => last,
        () => last,
      ),
    };
    active.set(key, entry);
    activeByTask.set(ctx.taskId, entry);
    try {
      const receipt = await grant;
      if (receipt) granted.set(key, { ...entry, receipt });
      if (!receipt && server.isSettlementPending(payload, requirements)) pendingByTask.set(ctx.taskId, key);
      else pendingByTask.delete(ctx.taskId);
    } finally {
      active.delete(key);
      activeByTask.delete(ctx.taskId);
    }
  }

  /** Verify, settle, then run the paid executor; the settlement when the money moved. */
  async function grantPayment(
    ctx: RequestContext,
    bus: ExecutionEventBus,
    publish: (u: PaymentUpdate) => void,
    fail: (reason: string, message: string, code: string, receipt: SettleResponse) => void,
    payment: {
      payload: PaymentPayload;
      requirements: PaymentRequirements;
      asked: AnyPaymentRequired;
      earlier: SettleResponse[];
    },
  ): Promise<SettleResponse | undefined> {
    const { payload, requirements, asked, earlier } = payment;
    const resource =
      typeof options.resource === 'function' ? options.resource(firstContext(ctx)) : options.resource;
    const resumed = server.takePending(payload, requirements);
    const call = { attempt: resumed?.attempt ?? createAttemptId(), resource };
    if (!resumed) {
      const verified = await server.verify(payload, requirements, call);
      if (!verified.isValid) {
        const reason = verified.invalidReason ?? Reasons.unexpectedVerifyError;
        const refusal = settleRefusal(
          reason,
          verified.invalidMessage,
          requirements.network,
          '',
          verified.payer,
        );
        fail(reason, verified.invalidMessage ?? '', paymentErrorCode(reason), refusal);
        return undefined;
      }
      publish({
        state: TaskState.TASK_STATE_WORKING,
        status: PaymentStatuses.verified,
        text: 'Payment verified.',
      });
    }
    const settled = await server.settle(payload, requirements, call);
    if (!settled.success && server.isSettlementPending(payload, requirements)) {
      // money that may have moved is never reported as failed: the payment stays `payment-verified`
      // (the spec has no pending status), with no error code, and the receipt names
      // `settlement_pending` and the hash; the task waits for the same payment again
      publish({
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
      fail(reason, settled.errorMessage ?? '', paymentErrorCode(reason, 'settle'), settled);
      return undefined;
    }
    emit('info', `a2a payment settled in ${settled.transaction}`, {
      taskId: ctx.taskId,
      network: settled.network,
    });
    const paid = {
      [PaymentMetadataKeys.status]: PaymentStatuses.completed,
      [PaymentMetadataKeys.receipts]: [...earlier, settled],
    };
    await runPaid(ctx, bus, paid);
    return settled;
  }

  /** The paid executor, on the message that opened the task; every status it publishes says paid. */
  async function runPaid(
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
      await executor.execute(paidCtx, stampingBus(bus, paid));
    } catch (error) {
      emit('error', 'a2a paid executor failed after settlement', {
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

  return {
    execute,
    cancelTask: (taskId, bus) => executor.cancelTask(taskId, bus),
  };
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

function newTask(ctx: RequestContext): Task {
  return {
    id: ctx.taskId,
    contextId: ctx.contextId,
    status: {
      state: TaskState.TASK_STATE_SUBMITTED,
      message: undefined,
      timestamp: new Date().toISOString(),
    },
    artifacts: [],
    history: [ctx.userMessage],
    metadata: undefined,
  };
}

/** A payment matching no offer: wrong amount or wrong network when an offer says so. */
function unmatchedCode(offered: PaymentRequirements[], payload: PaymentPayload): string {
  const { accepted } = payload;
  if (!offered.some((o) => o.network === accepted.network)) return PaymentErrorCodes.networkMismatch;
  if (offered.some((o) => o.network === accepted.network && o.amount !== accepted.amount))
    return PaymentErrorCodes.invalidAmount;
  return paymentErrorCode(Reasons.noMatchingRequirements);
}

/** The bus the paid executor publishes on: its status messages carry `payment-completed` and the receipts. */
function stampingBus(bus: ExecutionEventBus, paid: Record<string, unknown>): ExecutionEventBus {
  const stamp = (event: AgentExecutionEvent): AgentExecutionEvent => {
    if (event.kind !== 'statusUpdate' || !event.data.status) return event;
    const { status, taskId, contextId } = event.data;
    const message = status.message ?? {
      messageId: crypto.randomUUID(),
      contextId,
      taskId,
      role: Role.ROLE_AGENT,
      parts: [
        {
          content: { $case: 'text', value: 'Payment completed.' },
          metadata: undefined,
          filename: '',
          mediaType: 'text/plain',
        },
      ],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    };
    return AgentEvent.statusUpdate({
      ...event.data,
      status: { ...status, message: { ...message, metadata: { ...message.metadata, ...paid } } },
    });
  };
  return new StampingEventBus(bus, stamp);
}
