/**
 * Rows of `payment_identifiers` as both drivers return them (pg gives `BIGINT` as a string,
 * libsql as a number), validated into {@link IdempotencyRecord}s.
 */
import { z } from 'zod';
import type { IdempotencyRecord } from './idempotency-store.js';

const epochMs = z.union([z.number(), z.string(), z.bigint()]).transform((v) => Number(v));

const IdempotencyRow = z.object({
  id: z.string(),
  operation: z.enum(['verify', 'settle']),
  payload_hash: z.string(),
  request_hash: z.string(),
  state: z.enum(['claimed', 'completed']),
  result: z.string().nullable(),
  owner: z.string(),
  created_at: epochMs,
  updated_at: epochMs,
});

/** Thrown when a stored row is not an idempotency record (a corrupted or foreign table). */
export class IdempotencyRowError extends Error {
  override name = 'IdempotencyRowError';
}

/**
 * Validate one row of `payment_identifiers`.
 *
 * @example toIdempotencyRecord(db.prepare('SELECT … FROM payment_identifiers WHERE …').get(…))
 */
export function toIdempotencyRecord(row: unknown): IdempotencyRecord {
  const parsed = IdempotencyRow.safeParse(row);
  if (!parsed.success) throw new IdempotencyRowError(`not a payment identifier row: ${parsed.error.message}`);
  const r = parsed.data;
  return {
    id: r.id,
    operation: r.operation,
    payloadHash: r.payload_hash,
    requestHash: r.request_hash,
    state: r.state,
    ...(r.result === null ? {} : { result: r.result }),
    owner: r.owner,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
