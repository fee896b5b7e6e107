/**
 * The idempotency store in SQLite through libsql: the ledger's file (or any other), table
 * `payment_identifiers` with its own migrations. Claims are atomic (one writer at a time).
 */
import { Reasons, X402Error } from '@x402kit/core';
import { openSqlite } from '../db/sqlite.js';
import type { SqliteStoreOptions } from '../store-options.js';
import { toIdempotencyRecord } from './idempotency-row.js';
import type { IdempotencyStore } from './idempotency-store.js';
import { IDEMPOTENCY_COLUMNS, IDEMPOTENCY_SCHEMA } from './schema.js';

/** Options of `createSqliteIdempotencyStore`: the ledger's file. */
export type SqliteIdempotencyStoreOptions = SqliteStoreOptions;

/**
 * Open (creating if needed) the SQLite idempotency store and apply its pending migrations.
 *
 * @example
 * const store = await createSqliteIdempotencyStore({ path: config.ledger.sqlite.path })
 */
export async function createSqliteIdempotencyStore(
  options: SqliteIdempotencyStoreOptions,
): Promise<IdempotencyStore> {
  const now = options.now ?? Date.now;
  const db = openSqlite({ ...options, now }, IDEMPOTENCY_SCHEMA);
  const insert = db.prepare(
    `INSERT INTO payment_identifiers (${IDEMPOTENCY_COLUMNS})
     VALUES (:id, :operation, :payloadHash, :requestHash, 'claimed', NULL, :owner, :now, :now)
     ON CONFLICT DO NOTHING`,
  );
  const select = db.prepare(
    `SELECT ${IDEMPOTENCY_COLUMNS} FROM payment_identifiers WHERE id = :id AND operation = :operation`,
  );
  const selectAll = db.prepare(
    `SELECT ${IDEMPOTENCY_COLUMNS} FROM payment_identifiers WHERE id = :id ORDER BY operation DESC`,
  );
  const complete = db.prepare(
    `UPDATE payment_identifiers SET state = 'completed', result = :result, updated_at = :now
     WHERE id = :id AND operation = :operation AND owner = :owner AND state = 'claimed'`,
  );
  const release = db.prepare(
    `DELETE FROM payment_identifiers WHERE id = :id AND operation = :operation AND state = 'claimed'
       AND (:owner IS NULL OR owner = :owner)`,
  );

  const get = (id: string, operation: string) => {
    const row = select.get({ id, operation });
    return row === undefined ? undefined : toIdempotencyRecord(row);
  };

  return {
    async claim(claim) {
      const inserted = insert.run({ ...claim, now: now() }).changes === 1;
      const record = get(claim.id, claim.operation);
      if (!record)
        throw new X402Error(Reasons.internalError, `claim of payment id ${claim.id}: the record vanished`);
      return { claimed: inserted, record };
    },
    async get(id, operation) {
      return get(id, operation);
    },
    async records(id) {
      return selectAll.all({ id }).map(toIdempotencyRecord);
    },
    async complete(id, operation, owner, result) {
      complete.run({ id, operation, owner, result, now: now() });
    },
    async release(id, operation, owner) {
      release.run({ id, operation, owner: owner ?? null });
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
