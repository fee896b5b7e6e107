/**
 * The task status updates a merchant agent publishes along a payment: the state of the task, an
 * agent message saying what happened in words, and the extension's metadata on that message.
 */
import { type Message, Role, type TaskState, type TaskStatusUpdateEvent } from '@a2a-js/sdk';
import type { RequestContext } from '@a2a-js/sdk/server';
import { PaymentMetadataKeys, type PaymentStatus } from './x402-extension.js';

/** What an update says about the payment, under the extension's metadata keys. */
export type PaymentUpdate = {
  state: TaskState;
  text: string;
  status: PaymentStatus;
  /** Any other `x402.payment.*` entries (required, receipts, error). */
  metadata?: Record<string, unknown>;
};

/**
 * An agent text message for the task of `ctx` (a request's context, or a status update's ids).
 *
 * @example
 * agentMessage(ctx, 'Payment is required.', { 'x402.payment.status': 'payment-required' })
 */
export function agentMessage(
  ctx: Pick<RequestContext, 'contextId' | 'taskId'>,
  text: string,
  metadata?: Record<string, unknown>,
): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId: ctx.contextId,
    taskId: ctx.taskId,
    role: Role.ROLE_AGENT,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' },
    ],
    metadata,
    extensions: [],
    referenceTaskIds: [],
  };
}

/**
 * A status update of the task of `ctx` carrying the payment's status and metadata.
 *
 * @example
 * bus.publish(AgentEvent.statusUpdate(paymentStatusUpdate(ctx, {
 *   state: TaskState.TASK_STATE_FAILED, text: 'Payment failed', status: 'payment-failed',
 * })))
 */
export function paymentStatusUpdate(ctx: RequestContext, update: PaymentUpdate): TaskStatusUpdateEvent {
  const metadata = { [PaymentMetadataKeys.status]: update.status, ...update.metadata };
  return {
    taskId: ctx.taskId,
    contextId: ctx.contextId,
    status: {
      state: update.state,
      message: agentMessage(ctx, update.text, metadata),
      timestamp: new Date().toISOString(),
    },
    metadata: {},
  };
}
