// Idempotent verify/settle by payment id: the `payment-identifier` extension on the facilitator.

export * from './idempotency-store.js';
export * from './idempotent-facilitator.js';
export * from './memory-idempotency-store.js';
export * from './payment-identifier-status.js';
export * from './postgres-idempotency-store.js';
export type { IdempotencyMigration } from './schema.js';
export { IDEMPOTENCY_MIGRATIONS } from './schema.js';
export * from './sqlite-idempotency-store.js';
