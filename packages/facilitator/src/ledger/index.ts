// The settlement ledger: exactly-once settlement across facilitator instances.

export type { LedgerHttpHandler, LedgerHttpHandlerOptions, PaymentView } from './http.js';
export { createLedgerHttpHandler } from './http.js';
export type { LedgerHooks, LedgerHooksOptions, Reconcile } from './ledger-hooks.js';
export { createLedgerHooks } from './ledger-hooks.js';
export type {
  BoundPaymentFilter,
  ClaimResult,
  CompletedState,
  LeaseOptions,
  PaymentFilter,
  PaymentLedger,
  PaymentRecord,
  PaymentState,
  UnresolvedPayment,
} from './payment-ledger.js';
export type { PendingReconciler, PendingReconcilerOptions, SweepResult } from './pending-reconciler.js';
export { createPendingReconciler } from './pending-reconciler.js';
export type { PostgresLedgerOptions } from './postgres-ledger.js';
export { createPostgresLedger, PostgresLedgerOptionsError } from './postgres-ledger.js';
export type { Migration } from './schema.js';
export { MIGRATIONS } from './schema.js';
export type { SqliteLedgerOptions } from './sqlite-ledger.js';
export { createSqliteLedger } from './sqlite-ledger.js';
