// Settlement-key leases: one live facilitator instance per settlement key (see key-leases.ts).
export type {
  AcquireResult,
  ChainFamily,
  KeyLeaseRow,
  KeyLeaseStore,
  LeaseHolder,
  LeaseRequest,
  SettlementKey,
} from './key-lease-store.js';
export type { AcquireKeyLeasesOptions, KeyLeases } from './key-leases.js';
export { acquireKeyLeases, SettlementKeyInUseError } from './key-leases.js';
export type { PostgresKeyLeaseStoreOptions } from './postgres-key-lease-store.js';
export { createPostgresKeyLeaseStore } from './postgres-key-lease-store.js';
export type { SqliteKeyLeaseStoreOptions } from './sqlite-key-lease-store.js';
export { createSqliteKeyLeaseStore } from './sqlite-key-lease-store.js';
