/**
 * The idempotency store behind the `payment-identifier` extension: one record per
 * (payment id, operation), holding the fingerprints of what was presented and, once known, the
 * answer to replay. Implementations: in memory (one engine), SQLite (libsql) and PostgreSQL
 * (the ledger's databases, in a table of their own).
 */

/** The facilitator calls a payment id can make idempotent. */
export type IdempotencyOperation = 'verify' | 'settle';

/** `claimed`: an instance is working on it; `completed`: `result` is the answer to replay. */
export type IdempotencyState = 'claimed' | 'completed';

/** One stored payment id: the operation, the payload's hash, its state and the answer to replay. */
export type IdempotencyRecord = {
  id: string;
  operation: IdempotencyOperation;
  /** sha-256 of the canonical JSON of the payment payload: another payload under one id is a conflict. */
  payloadHash: string;
  /** sha-256 of the canonical JSON of `{ payload, requirements }` for this operation. */
  requestHash: string;
  state: IdempotencyState;
  /** The stored answer (a `VerifyResponse` or `SettleResponse`) as JSON text, once completed. */
  result?: string;
  /** The instance that claimed it. */
  owner: string;
  createdAt: number;
  updatedAt: number;
};

/** What a claim presents. */
export type IdempotencyClaim = Pick<
  IdempotencyRecord,
  'id' | 'operation' | 'payloadHash' | 'requestHash' | 'owner'
>;

/** Where payment ids and their answers live, as the memory, SQLite and PostgreSQL stores implement it. */
export type IdempotencyStore = {
  /**
   * Insert a `claimed` record unless one exists for (id, operation); either way, return the record
   * now stored. Atomic: of concurrent claims, exactly one gets `claimed: true`.
   */
  claim(claim: IdempotencyClaim): Promise<{ claimed: boolean; record: IdempotencyRecord }>;
  get(id: string, operation: IdempotencyOperation): Promise<IdempotencyRecord | undefined>;
  /** Every record of an id (its verify and its settle). */
  records(id: string): Promise<IdempotencyRecord[]>;
  /** Store the answer of a claim this owner holds. */
  complete(id: string, operation: IdempotencyOperation, owner: string, result: string): Promise<void>;
  /** Drop a `claimed` record (of `owner`, or of anyone when absent) so the call may run again. */
  release(id: string, operation: IdempotencyOperation, owner?: string): Promise<void>;
  close(): Promise<void>;
};
