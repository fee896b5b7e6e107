/**
 * What a paid agent executor's steps share: its state (engine, paid work, which payment pays which
 * task) and one request's payment run. A file of its own so taking and granting a payment
 * (`take-payment.ts`, `grant-payment.ts`) both read it without importing each other.
 */
import type { TaskStatusUpdateEvent } from '@a2a-js/sdk';
import type { AgentExecutor, ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server';
import type { Emit, ResourceInfo, ResourceServer, SettleResponse } from '@x402kit/core';
import type { ExpiringMap } from '@x402kit/core/internal';
import type { PaymentUpdate } from './payment-status-update.js';

/** A payment being granted (or granted) for a task, and the last status it gave the task. */
export type Grant = { taskId: string; outcome: Promise<TaskStatusUpdateEvent | undefined> };

/** What a paid agent executor holds: its engine, the paid work, and which payment pays which task. */
export type PaidExecutorState = {
  server: ResourceServer;
  executor: AgentExecutor;
  resource: ResourceInfo | ((ctx: RequestContext) => ResourceInfo);
  emit: Emit;
  /**
   * One payment, one grant in this process: payments being granted, and granted ones (the
   * facilitator's ledger keeps the rule across processes).
   */
  active: Map<string, Grant>;
  granted: ExpiringMap<string, Grant & { receipt: SettleResponse }>;
  /**
   * One task, one payment: the grant in progress per task, and the payment whose settlement is
   * pending per task (another payment for that task is not taken until it is known).
   */
  activeByTask: Map<string, Grant>;
  pendingByTask: ExpiringMap<string, string>;
};

/** One request paying its task: how it publishes and fails, the receipts before it, its last status. */
export type PaymentRun = {
  ctx: RequestContext;
  /** The bus this payment publishes on; it notes the last status given to the task. */
  bus: ExecutionEventBus;
  publish: (update: PaymentUpdate) => void;
  fail: (reason: string, message: string, code: string, receipt: SettleResponse) => void;
  earlier: SettleResponse[];
  last: () => TaskStatusUpdateEvent | undefined;
};
