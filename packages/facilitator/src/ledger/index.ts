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
export { identifyExactEvm } from './identify-exact-evm.js';
export { identifyPayment } from './identify-payment.js';
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
export type { ReceiptReconcilerOptions } from './reconcile-by-receipt.js';
export { createReceiptReconciler, firstReconciler } from './reconcile-by-receipt.js';
export type { ExactEvmReconcilerOptions } from './reconcile-exact-evm.js';
export { createExactEvmReconciler } from './reconcile-exact-evm.js';
export type { ExactPermitReconcilerOptions } from './reconcile-exact-permit.js';
export { createExactPermitReconciler } from './reconcile-exact-permit.js';
export type { Permit2ReconcilerOptions } from './reconcile-permit2.js';
export { createPermit2Reconciler } from './reconcile-permit2.js';
export type { Migration } from './schema.js';
export { MIGRATIONS } from './schema.js';
export type { SqliteLedgerOptions } from './sqlite-ledger.js';
export { createSqliteLedger } from './sqlite-ledger.js';
