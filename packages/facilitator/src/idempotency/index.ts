// Idempotent verify/settle by payment id: the `payment-identifier` extension on the facilitator.

export type {
  IdempotencyClaim,
  IdempotencyOperation,
  IdempotencyRecord,
  IdempotencyState,
  IdempotencyStore,
} from './idempotency-store.js';
export type { IdempotentFacilitatorOptions } from './idempotent-facilitator.js';
export { createIdempotentFacilitator } from './idempotent-facilitator.js';
export { createMemoryIdempotencyStore } from './memory-idempotency-store.js';
export { withPaymentIdentifierStatus } from './payment-identifier-status.js';
export type { PostgresIdempotencyStoreOptions } from './postgres-idempotency-store.js';
export { createPostgresIdempotencyStore } from './postgres-idempotency-store.js';
export type { IdempotencyMigration } from './schema.js';
export { IDEMPOTENCY_MIGRATIONS } from './schema.js';
export type { SqliteIdempotencyStoreOptions } from './sqlite-idempotency-store.js';
export { createSqliteIdempotencyStore } from './sqlite-idempotency-store.js';
