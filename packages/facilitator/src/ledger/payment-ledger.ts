/**
 * The settlement ledger contract: one record per {@link PaymentKey}, claimed atomically before a
 * settlement is attempted, so a payment is never settled twice (every store rejects a second
 * claim of a key) and never lost (every outcome, including "sent but not yet mined", is kept).
 *
 * Life of a record:
 * ```
 * claim ──> claimed ──recordBroadcast──> broadcast ──complete──> settled | failed | pending
 *              └──release (nothing was sent: the row is removed, a later attempt may claim again)
 * pending ──complete──> settled | failed   (reconciled later)
 * ```
 */
import type { SettleResponse } from '@x402kit/core';
import { canonicalKeyPart, type PaymentKey } from './payment-key.js';

/** Where a payment stands. `claimed` and `broadcast` are in flight; the others are final answers. */
export type PaymentState = 'claimed' | 'broadcast' | 'settled' | 'failed' | 'pending';

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
  /** The facilitator instance that holds (or held) the claim. */
  owner: string;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
};

export type ClaimResult =
  /** This caller holds the key and must settle, then `complete` or `release` it. */
  | { claimed: true; record: PaymentRecord }
  /** Someone claimed the key first: their record, as it is now. */
  | { claimed: false; record: PaymentRecord };

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
   * Claim `key` for `owner` atomically (`INSERT … ON CONFLICT DO NOTHING`): exactly one of any
   * number of concurrent claims of a key wins; the others get the winner's record. `payment` (the
   * JSON of what was presented, see `stored-payment.ts`) is kept so a background reconciler can
   * finish the settlement without the original request.
   */
  claim(key: PaymentKey, payloadHash: string, owner: string, payment?: string): Promise<ClaimResult>;
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
   * Lease unresolved payments to `owner` for `leaseMs`: `pending` ones, and `broadcast` ones quiet
   * for `quietMs` (their instance died, or is still waiting for the receipt). A leased row is
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
export type LeaseOptions = { owner: string; leaseMs: number; quietMs: number; limit: number };

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
