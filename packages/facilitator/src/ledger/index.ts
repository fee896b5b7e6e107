// The settlement ledger: exactly-once settlement across facilitator instances.

export type { LedgerHttpHandler, LedgerHttpHandlerOptions, PaymentView } from './http.js';
export { createLedgerHttpHandler } from './http.js';
export * from './ledger-hooks.js';
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
export * from './pending-reconciler.js';
export * from './postgres-ledger.js';
export type { Migration } from './schema.js';
export { MIGRATIONS } from './schema.js';
export * from './sqlite-ledger.js';
