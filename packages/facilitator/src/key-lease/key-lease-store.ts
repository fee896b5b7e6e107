/**
 * Where settlement-key leases live: one row per settlement address and chain family, naming the
 * live instance that sends from it and when it last said so (its heartbeat). A second instance
 * cannot take the row while that heartbeat is fresh; it can once the holder has been silent for
 * longer than the holder's own bound (`staleAfterMs`), which is how a killed instance's keys come
 * free. Implemented by the SQLite and PostgreSQL stores, with the decision written once here.
 */

/** The chain family of a settlement address: a chain module's `family` (`evm` ...). */
export type ChainFamily = string;

/** An address that sends settlements, in one chain family. */
export type SettlementKey = { family: ChainFamily; address: string };

/** Who holds (or asks for) a lease: the instance id for people, a random token per process for the store. */
export type LeaseHolder = SettlementKey & {
  /** The instance id (`instanceId` of the config), shown to whoever is refused. */
  holder: string;
  /** Random per process: two processes sharing an instance id by mistake are still told apart. */
  token: string;
};

/** A request to hold settlement-key leases: the holder and how long it may stay silent. */
export type LeaseRequest = LeaseHolder & {
  /** The holder's bound: silent for longer than this, its lease may be taken over. */
  staleAfterMs: number;
};

/** A stored lease. Times are epoch ms of the database's clock. */
export type KeyLeaseRow = LeaseRequest & { acquiredAt: number; heartbeatAt: number };

/**
 * The answer to `acquire`: taken (`previous` names a silent holder it was taken over from), or
 * refused because a live holder has it (`freeInMs`: when it comes free if that holder stops
 * heart-beating now).
 */
export type AcquireResult =
  | { acquired: true; previous?: { holder: string; silentForMs: number } }
  | { acquired: false; holder: string; silentForMs: number; staleAfterMs: number; freeInMs: number };

/** Where settlement-key leases live, as the SQLite and PostgreSQL stores implement it. */
export type KeyLeaseStore = {
  /** Take the lease unless another live holder has it (a lease of the same token is renewed). */
  acquire(request: LeaseRequest): Promise<AcquireResult>;
  /** Record a heartbeat; false when the lease is no longer this token's (taken over, or released). */
  renew(lease: LeaseHolder): Promise<boolean>;
  /** Give the lease up (only if it is still this token's). */
  release(lease: LeaseHolder): Promise<void>;
  /** The stored lease of `key`, if any. */
  get(key: SettlementKey): Promise<KeyLeaseRow | undefined>;
  close(): Promise<void>;
};

/**
 * What `acquire` does with the row it found (read under the store's write lock) at database time `now`.
 *
 * @example
 * decideAcquire(undefined, request, now) // { take: true }
 * decideAcquire(freshRowOfAnother, request, now) // { take: false, refusal: { acquired: false, holder: 'a', ... } }
 */
export function decideAcquire(
  row: KeyLeaseRow | undefined,
  request: LeaseRequest,
  now: number,
): { take: true; result: AcquireResult } | { take: false; result: AcquireResult } {
  if (row === undefined || row.token === request.token) return { take: true, result: { acquired: true } };
  const silentForMs = Math.max(0, now - row.heartbeatAt);
  if (silentForMs > row.staleAfterMs) {
    return { take: true, result: { acquired: true, previous: { holder: row.holder, silentForMs } } };
  }
  return {
    take: false,
    result: {
      acquired: false,
      holder: row.holder,
      silentForMs,
      staleAfterMs: row.staleAfterMs,
      freeInMs: row.staleAfterMs - silentForMs + 1,
    },
  };
}

/**
 * A database row (snake_case, BIGINTs possibly as strings) as a {@link KeyLeaseRow}.
 *
 * @example toKeyLeaseRow({ family: 'evm', address: '0xAb…', holder: 'a', token: 't', stale_after_ms: '10000', acquired_at: '1', heartbeat_at: '2' })
 */
export function toKeyLeaseRow(row: Record<string, unknown>): KeyLeaseRow {
  return {
    family: String(row.family),
    address: String(row.address),
    holder: String(row.holder),
    token: String(row.token),
    staleAfterMs: Number(row.stale_after_ms),
    acquiredAt: Number(row.acquired_at),
    heartbeatAt: Number(row.heartbeat_at),
  };
}
