import { X402Error } from '@x402kit/core';
import { openPostgres } from '../db/postgres.js';
import { FacilitatorReasons } from '../facilitator-reasons.js';
import type { PostgresStoreOptions } from '../store-options.js';
import { toIdempotencyRecord } from './idempotency-row.js';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency-store.js';
import { IDEMPOTENCY_COLUMNS, IDEMPOTENCY_SCHEMA } from './schema.js';

/** Options of `createPostgresIdempotencyStore`: the ledger's database; a pool of 5 by default. */
export type PostgresIdempotencyStoreOptions = PostgresStoreOptions;

const CLAIM_ATTEMPTS = 5;

/**
 * Connect and apply pending migrations (serialized across processes by an advisory lock).
 *
 * @example
 * const store = await createPostgresIdempotencyStore({ url: config.ledger.postgres.url, schema: config.ledger.postgres.schema })
 */
export async function createPostgresIdempotencyStore(
  options: PostgresIdempotencyStoreOptions,
): Promise<IdempotencyStore> {
  const now = options.now ?? Date.now;
  const { pool, prefix, close } = await openPostgres(
    { ...options, now },
    { ...IDEMPOTENCY_SCHEMA, defaultMaxConnections: 5, lockName: 'x402kit-idempotency' },
  );
  const T = `${prefix}payment_identifiers`;
  const get = async (id: string, operation: string): Promise<IdempotencyRecord | undefined> => {
    const { rows } = await pool.query(
      `SELECT ${IDEMPOTENCY_COLUMNS} FROM ${T} WHERE id = $1 AND operation = $2`,
      [id, operation],
    );
    return rows[0] === undefined ? undefined : toIdempotencyRecord(rows[0]);
  };

  return {
    async claim(claim) {
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        const inserted = await pool.query(
          `INSERT INTO ${T} (${IDEMPOTENCY_COLUMNS})
           VALUES ($1, $2, $3, $4, 'claimed', NULL, $5, $6, $6)
           ON CONFLICT DO NOTHING RETURNING ${IDEMPOTENCY_COLUMNS}`,
          [claim.id, claim.operation, claim.payloadHash, claim.requestHash, claim.owner, now()],
        );
        if (inserted.rows[0] !== undefined)
          return { claimed: true, record: toIdempotencyRecord(inserted.rows[0]) };
        const existing = await get(claim.id, claim.operation);
        // released between our insert and our read: try again
        if (existing) return { claimed: false, record: existing };
      }
      throw new X402Error(
        FacilitatorReasons.storeContention,
        `claim of payment id ${claim.id}: claimed and released ${CLAIM_ATTEMPTS} times meanwhile`,
      );
    },
    get,
    async records(id) {
      const { rows } = await pool.query(
        `SELECT ${IDEMPOTENCY_COLUMNS} FROM ${T} WHERE id = $1 ORDER BY operation DESC`,
        [id],
      );
      return rows.map(toIdempotencyRecord);
    },
    async complete(id, operation, owner, result) {
      await pool.query(
        `UPDATE ${T} SET state = 'completed', result = $4, updated_at = $5
         WHERE id = $1 AND operation = $2 AND owner = $3 AND state = 'claimed'`,
        [id, operation, owner, result, now()],
      );
    },
    async release(id, operation, owner) {
      await pool.query(
        `DELETE FROM ${T} WHERE id = $1 AND operation = $2 AND state = 'claimed' AND ($3::text IS NULL OR owner = $3)`,
        [id, operation, owner ?? null],
      );
    },
    close,
  };
}
