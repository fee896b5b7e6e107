/**
 * An idempotency store in process memory: for an engine running alone (tests, a single
 * facilitator without a ledger database). Records live as long as the process.
 */
import type { IdempotencyRecord, IdempotencyStore } from './idempotency-store.js';

/**
 * Create an in-memory idempotency store.
 *
 * @example
 * const facilitator = createIdempotentFacilitator({ facilitator: engine, store: createMemoryIdempotencyStore() })
 */
export function createMemoryIdempotencyStore(options: { now?: () => number } = {}): IdempotencyStore {
  const now = options.now ?? Date.now;
  const rows = new Map<string, IdempotencyRecord>();
  const keyOf = (id: string, operation: string) => `${operation}\u0000${id}`;
  const copy = (r: IdempotencyRecord | undefined) => (r ? { ...r } : undefined);
  return {
    async claim(claim) {
      const key = keyOf(claim.id, claim.operation);
      const existing = rows.get(key);
      if (existing) return { claimed: false, record: { ...existing } };
      const t = now();
      const record: IdempotencyRecord = { ...claim, state: 'claimed', createdAt: t, updatedAt: t };
      rows.set(key, record);
      return { claimed: true, record: { ...record } };
    },
    async get(id, operation) {
      return copy(rows.get(keyOf(id, operation)));
    },
    async records(id) {
      return (['verify', 'settle'] as const).flatMap((op) => copy(rows.get(keyOf(id, op))) ?? []);
    },
    async complete(id, operation, owner, result) {
      const record = rows.get(keyOf(id, operation));
      if (!record || record.owner !== owner || record.state !== 'claimed') return;
      Object.assign(record, { state: 'completed', result, updatedAt: now() });
    },
    async release(id, operation, owner) {
      const key = keyOf(id, operation);
      const record = rows.get(key);
      if (record?.state === 'claimed' && (owner === undefined || record.owner === owner)) rows.delete(key);
    },
    async close() {
      rows.clear();
    },
  };
}
