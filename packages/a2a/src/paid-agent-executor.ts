/**
 * The merchant side of the x402 extension for A2A: an `AgentExecutor` that asks for payment in the
 * task's status message (`input-required`, `payment-required`), takes the client's
 * `payment-submitted` message for that task, has our resource-server engine verify and settle it,
 * and only then runs the paid executor, once per payment; the final task message carries
 * `payment-completed` and the receipts. A refused payment leaves the task `failed` with
 * `payment-failed`, the spec's error code and the receipt that says why.
 */
import { type Task, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import {
  createEmitter,
  type Log,
  type PaymentOption,
  type ResourceInfo,
  type ResourceServer,
} from '@x402kit/core';
import { createExpiringMap } from '@x402kit/core/internal';
import { A2aReasons } from './a2a-reasons.js';
import type { PaidExecutorState } from './paid-executor-state.js';
import { type PaymentUpdate, paymentStatusUpdate } from './payment-status-update.js';
import { takePayment } from './take-payment.js';
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
  const state: PaidExecutorState = {
    server: options.server,
    executor: options.executor,
    resource: options.resource,
    emit: createEmitter(options.log),
    active: new Map(),
    granted: createExpiringMap({ ttlMs: 60 * 60_000, maxEntries: 100_000 }),
    activeByTask: new Map(),
    pendingByTask: createExpiringMap({ ttlMs: 60 * 60_000, maxEntries: 100_000 }),
  };
  return {
    execute: (ctx, bus) => execute(state, options, ctx, bus),
    cancelTask: (taskId, bus) => options.executor.cancelTask(taskId, bus),
  };
}

/** One request on a task: ask for payment, take the payment it carries, or refuse it. */
async function execute(
  state: PaidExecutorState,
  options: PaidAgentExecutorOptions,
  ctx: RequestContext,
  bus: ExecutionEventBus,
): Promise<void> {
  const publish = (update: PaymentUpdate) =>
    bus.publish(AgentEvent.statusUpdate(paymentStatusUpdate(ctx, update)));
  if (!ctx.task) bus.publish(AgentEvent.task(newTask(ctx)));
  if (!activate(ctx, options.requireExtension)) {
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
    await askForPayment(options, ctx, publish);
    return;
  }
  await takePayment(state, ctx, bus, asked.required);
}

/** Activate the extension when the client asked for it; false when it is required and was not. */
function activate(ctx: RequestContext, requireExtension: boolean | undefined): boolean {
  const requested = ctx.context?.requestedExtensions ?? [];
  if (requested.includes(X402_A2A_EXTENSION_URI)) {
    ctx.context?.addActivatedExtension(X402_A2A_EXTENSION_URI);
    return true;
  }
  return requireExtension === false;
}

/** The task waits for input: the `PaymentRequired` of this request's offers. */
async function askForPayment(
  options: PaidAgentExecutorOptions,
  ctx: RequestContext,
  publish: (u: PaymentUpdate) => void,
): Promise<void> {
  const { server } = options;
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
