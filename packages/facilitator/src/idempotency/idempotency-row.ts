/**
 * Rows of `payment_identifiers` as both drivers return them (pg gives `BIGINT` as a string,
 * libsql as a number), validated into {@link IdempotencyRecord}s.
 */
import { X402Error } from '@x402kit/core';
import { z } from 'zod';
import { epochMs, parseRow } from '../db/rows.js';
import { FacilitatorReasons } from '../facilitator-reasons.js';
import type { IdempotencyRecord } from './idempotency-store.js';

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

/**
 * Thrown when a stored row is not an idempotency record (a corrupted or foreign table); reason
 * `invalid_idempotency_row`.
 *
 * @example
 * try { toIdempotencyRecord(row) } catch (e) { if (e instanceof IdempotencyRowError) console.error(e.message) }
 */
export class IdempotencyRowError extends X402Error {
  override name = 'IdempotencyRowError';

  constructor(message: string) {
    super(FacilitatorReasons.idempotencyRow, message);
  }
}

/**
 * Validate one row of `payment_identifiers`.
 *
 * @example toIdempotencyRecord(db.prepare('SELECT … FROM payment_identifiers WHERE …').get(…))
 */
export function toIdempotencyRecord(row: unknown): IdempotencyRecord {
  const r = parseRow(
    IdempotencyRow,
    row,
    (issues) => new IdempotencyRowError(`not a payment identifier row: ${issues}`),
  );
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
