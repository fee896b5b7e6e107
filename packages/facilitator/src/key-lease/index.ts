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
export * from './key-leases.js';
export * from './postgres-key-lease-store.js';
export * from './sqlite-key-lease-store.js';
