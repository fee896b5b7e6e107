// The settlement ledger: exactly-once settlement across facilitator instances.

export type { PaymentKey, StoredPayment } from '@x402kit/core';
export {
  canonicalKeyPart,
  decodeStoredPayment,
  encodeStoredPayment,
  normalizePaymentKey,
  paymentKeyId,
} from '@x402kit/core';
export type { LedgerHttpHandler, LedgerHttpHandlerOptions, PaymentView } from './http.js';
export { createLedgerHttpHandler, toPaymentView } from './http.js';
export type { LedgerHooks, LedgerHooksOptions, Reconcile } from './ledger-hooks.js';
export { createLedgerHooks } from './ledger-hooks.js';
export { hashPayment } from './payment-hash.js';
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
export { bindPaymentFilter, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './payment-ledger.js';
export { LedgerRowError } from './payment-row.js';
export type { PendingReconciler, PendingReconcilerOptions, SweepResult } from './pending-reconciler.js';
export { createPendingReconciler } from './pending-reconciler.js';
export type { PostgresLedgerOptions } from './postgres-ledger.js';
export { createPostgresLedger, PostgresLedgerOptionsError } from './postgres-ledger.js';
export type { Migration } from './schema.js';
export { MIGRATIONS } from './schema.js';
export type { SqliteLedgerOptions } from './sqlite-ledger.js';
export { createSqliteLedger } from './sqlite-ledger.js';
