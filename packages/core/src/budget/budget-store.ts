/**
 * Where a budget keeps what it has spent. A store only has to run one change at a time against
 * the latest state: the in-memory one here for libraries, a file (shared by processes) in the CLI,
 * a database row locked `FOR UPDATE` in a service.
 */

/** A payment held against a bucket: `reserved` while in flight, `pending` once its outcome is unknown. */
export type BudgetHoldRecord = { amount: string; status: 'reserved' | 'pending'; at: string };

/** One limit's account for one window (a day, a session, all time) and one key (host or tool). */
export type BudgetBucket = {
  /** The limit as written, e.g. `5 USD/day` or `5 USD/total per key`. */
  label: string;
  /** `USD`, or `<network> <asset>` for a limit in one asset's units. */
  unit: string;
  /** Decimals of `limit`, `spent` and hold amounts (18 for USD). */
  decimals: number;
  /** The limit, atomic units. */
  limit: string;
  /** `day:2026-12-06` (UTC), `session:<id>` or `total`. */
  window: string;
  /** The host or tool of a per-key limit; null when the limit is shared by all. */
  key: string | null;
  /** Settled payments, atomic units. */
  spent: string;
  /** Payments in flight or of unknown outcome, by hold id: counted as spent. */
  holds: Record<string, BudgetHoldRecord>;
};

/** Everything a store keeps. */
export type BudgetState = { version: 1; buckets: Record<string, BudgetBucket> };

/**
 * A budget's persistence. `update` runs `change` against the latest state with no other change in
 * between (in this process, and in every process sharing the store), then keeps the state it left;
 * if `change` throws, nothing is kept and the error is passed on.
 */
export type BudgetStore = {
  update<T>(change: (state: BudgetState) => T): Promise<T>;
  read(): Promise<BudgetState>;
};

/**
 * An empty state.
 *
 * @example const state = emptyBudgetState() // { version: 1, buckets: {} }
 */
export function emptyBudgetState(): BudgetState {
  return { version: 1, buckets: {} };
}

/**
 * A store in this process's memory: a library's budget lives as long as its client.
 *
 * @example
 * const budget = createBudget({ limits: [parseBudgetLimit('5/day')], store: createMemoryBudgetStore() })
 */
export function createMemoryBudgetStore(initial: BudgetState = emptyBudgetState()): BudgetStore {
  let state = structuredClone(initial);
  return {
    async update(change) {
      // synchronous from copy to swap, so no other update can interleave
      const next = structuredClone(state);
      const result = change(next);
      state = next;
      return result;
    },
    async read() {
      return structuredClone(state);
    },
  };
}
