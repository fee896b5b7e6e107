/**
 * The settlement ledger contract: one record per {@link PaymentKey}, claimed atomically before a
 * settlement is attempted, so a payment is never settled twice (every store rejects a second
 * claim of a key) and never lost (every outcome, including "sent but not yet mined", is kept).
 *
 * Life of a record:
 * ```
 * reserve ──> reserved ──claim (same attempt)──> claimed
 *                └──releaseReservation (the attempt will not settle) / expiry (another may reserve)
 * claim ──> claimed ──recordBroadcast──> broadcast ──complete──> settled | failed | pending
 *              └──release (nothing was sent: the row is removed, a later attempt may claim again)
 * pending ──complete──> settled | failed   (reconciled later)
 * ```
 *
 * `attempt` names the grant attempt (one resource-server request) that holds a row; `undefined`
 * is an anonymous caller, who can never prove to be the same attempt again.
 */
import type { SettleResponse } from '@x402kit/core';
import { canonicalKeyPart, type PaymentKey } from '@x402kit/core';

/**
 * Where a payment stands. `reserved`: verified for one grant attempt, not yet settling;
 * `claimed` and `broadcast` are in flight; the others are final answers.
 */
export type PaymentState = 'reserved' | 'claimed' | 'broadcast' | 'settled' | 'failed' | 'pending';

/** A state `complete` may write. */
export type CompletedState = 'settled' | 'failed' | 'pending';

/** One payment as the ledger knows it. Keys are stored normalized. */
export type PaymentRecord = {
  key: PaymentKey;
  state: PaymentState;
  /** sha-256 (hex) of the canonical JSON of the payload and requirements first presented. */
  payloadHash: string;
  /** The settlement transaction, once one was sent. */
  transaction?: string;
  /** The answer given for the settlement (stored by `complete`). */
  outcome?: SettleResponse;
  /** The facilitator instance that holds (or held) the claim. Never shown to clients. */
  owner: string;
  /** The grant attempt holding the row; absent for an anonymous caller. */
  attempt?: string;
  /** When a `reserved` row lapses (epoch ms). */
  expiresAt?: number;
  /** The authenticated caller that made an anonymous reservation (an API key's name). */
  principal?: string;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
};

/** What claiming a payment key answers: this caller holds it, or the record of whoever does. */
export type ClaimResult =
  /** This caller holds the key and must settle, then `complete` or `release` it. */
  | { claimed: true; record: PaymentRecord }
  /** Someone claimed the key first: their record, as it is now. */
  | { claimed: false; record: PaymentRecord };

export type ReserveResult =
  /** The payment is reserved for this attempt (newly, or again by the same attempt). */
  | { reserved: true; record: PaymentRecord }
  /** Another attempt holds it, or it is already being settled or finished: that record. */
  | { reserved: false; record: PaymentRecord };

/** What {@link PaymentLedger.reserve} takes besides the key. */
export type ReserveOptions = {
  payloadHash: string;
  owner: string;
  /** The grant attempt; `undefined` reserves for an anonymous caller (exclusive: not renewable). */
  attempt: string | undefined;
  /** When the reservation lapses (epoch ms): the end of the payment's time window. */
  expiresAt: number;
  /** The authenticated caller (an API key's name), kept with an anonymous reservation. */
  principal?: string;
  /** The JSON of what was presented (see `stored-payment.ts`). */
  payment?: string;
};

/** What {@link PaymentLedger.claim} takes besides the key. */
export type ClaimOptions = {
  payloadHash: string;
  owner: string;
  /**
   * The grant attempt; a reservation is taken over only by the attempt that made it, an anonymous one
   * only by an anonymous caller with the same `principal` (both absent counts as the same).
   */
  attempt?: string;
  principal?: string;
  payment?: string;
};

/** Which ledger records to list: by network, payer or nonce, newest first. */
export type PaymentFilter = {
  network?: string;
  payer?: string;
  nonce?: string;
  /** Most records returned, newest first; default 100, at most 1000. */
  limit?: number;
};

/** A durable store of payment records. Every method is safe to call concurrently from many processes. */
export type PaymentLedger = {
  /**
   * Reserve `key` for a grant attempt atomically: a new row, or the attempt's own reservation
   * renewed, or a lapsed reservation (of the same payload) taken over. Anything else (another
   * attempt's live reservation, a claim, a finished payment) is not touched and is returned.
   */
  reserve(key: PaymentKey, options: ReserveOptions): Promise<ReserveResult>;
  /**
   * Claim `key` for `owner` atomically (`INSERT … ON CONFLICT DO NOTHING`, or a conditional update
   * of a reservation made by the same attempt, or of a lapsed one): exactly one of any number of
   * concurrent claims of a key wins; the others get the winner's record. `payment` (the JSON of
   * what was presented, see `stored-payment.ts`) is kept so a background reconciler can finish the
   * settlement without the original request.
   */
  claim(key: PaymentKey, options: ClaimOptions): Promise<ClaimResult>;
  /** Give up the reservation `attempt` holds; false when it holds none (already claimed, lapsed …). */
  releaseReservation(key: PaymentKey, attempt: string): Promise<boolean>;
  /** Mark every claim `owner` holds in flight (`claimed`, `broadcast`) as alive (its `updatedAt` becomes now); how many. */
  heartbeat(owner: string): Promise<number>;
  /**
   * Move an in-flight claim (`claimed` or `broadcast`) whose owner stopped heart-beating (unchanged
   * since `staleBefore`) to `owner`; exactly one of several concurrent takers wins. Safe for a
   * `broadcast` row too: every scheme pays with a signed nonce, so a second transaction for the same
   * authorization can never move the money twice.
   */
  takeOver(key: PaymentKey, from: string, staleBefore: number, owner: string): Promise<boolean>;
  /**
   * Note the transaction sent for a claim held by `owner`; false when the claim is not (or no longer)
   * theirs. Called again with a replacement (same nonce, higher fee), it keeps the newest hash.
   */
  recordBroadcast(key: PaymentKey, owner: string, transaction: string): Promise<boolean>;
  /**
   * Store the final answer of a settlement. A `settled` record is never changed again. The
   * outcome's non-empty `transaction` is kept as the record's transaction.
   */
  complete(
    key: PaymentKey,
    state: CompletedState,
    outcome: SettleResponse,
  ): Promise<PaymentRecord | undefined>;
  /**
   * Give up a claim that sent nothing (the attempt failed before broadcast), so a later attempt
   * may claim the key again. Only a `claimed` record of `owner` (any owner when omitted) is removed.
   */
  release(key: PaymentKey, owner?: string): Promise<boolean>;
  get(key: PaymentKey): Promise<PaymentRecord | undefined>;
  /** The payment a settlement transaction belongs to; a settled record wins when several carry the hash. */
  findByTransaction(transaction: string): Promise<PaymentRecord | undefined>;
  list(filter?: PaymentFilter): Promise<PaymentRecord[]>;
  /**
   * Lease unresolved payments to `owner` for `leaseMs`: `pending` ones, `broadcast` ones quiet
   * for `quietMs` (their instance died, or is still waiting for the receipt), and `claimed` ones
   * abandoned for `abandonedMs` (their instance died before it recorded a send). A leased row is
   * skipped by other callers until the lease ends, so several instances sweeping one database
   * never work on the same row at once (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one writer).
   * Oldest first; the lease does not change `updatedAt`.
   */
  leaseUnresolved(options: LeaseOptions): Promise<UnresolvedPayment[]>;
  /** How many payments are `pending` or `broadcast` (the pending-settlements gauge). */
  countUnresolved(): Promise<number>;
  /** Release the connection(s). */
  close(): Promise<void>;
};

/** What {@link PaymentLedger.leaseUnresolved} takes. */
export type LeaseOptions = {
  owner: string;
  leaseMs: number;
  quietMs: number;
  /** A `claimed` row not heart-beaten for this long is swept too; default: never. */
  abandonedMs?: number;
  limit: number;
};

/** An unresolved payment with what was presented for it (absent for rows written before it was kept). */
export type UnresolvedPayment = { record: PaymentRecord; payment: string | undefined };

/** Default `limit` of {@link PaymentLedger.list}. */
export const DEFAULT_LIST_LIMIT = 100;
/** Largest `limit` of {@link PaymentLedger.list}. */
export const MAX_LIST_LIMIT = 1000;

/** A list filter as the stores bind it: canonical parts, `null` for "any", a clamped limit. */
export type BoundPaymentFilter = {
  network: string | null;
  payer: string | null;
  nonce: string | null;
  limit: number;
};

/**
 * Canonicalize a {@link PaymentFilter} for a query.
 *
 * @example bindPaymentFilter({ payer: '0xABC' }) // { network: null, payer: '0xabc', nonce: null, limit: 100 }
 */
export function bindPaymentFilter(filter: PaymentFilter = {}): BoundPaymentFilter {
  const limit =
    filter.limit === undefined || !Number.isFinite(filter.limit)
      ? DEFAULT_LIST_LIMIT
      : Math.min(MAX_LIST_LIMIT, Math.max(1, Math.trunc(filter.limit)));
  return {
    network: filter.network === undefined ? null : filter.network.trim(),
    payer: filter.payer === undefined ? null : canonicalKeyPart(filter.payer),
    nonce: filter.nonce === undefined ? null : canonicalKeyPart(filter.nonce),
    limit,
  };
}
