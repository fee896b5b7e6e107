/**
 * The idempotency store in PostgreSQL through `pg`: the ledger's database (and schema), table
 * `payment_identifiers` with its own migrations. A claim is one `INSERT … ON CONFLICT DO NOTHING`.
 */
import pg from 'pg';
import { toIdempotencyRecord } from './idempotency-row.js';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency-store.js';
import {
  IDEMPOTENCY_COLUMNS,
  IDEMPOTENCY_MIGRATIONS,
  IDEMPOTENCY_MIGRATIONS_TABLE,
  IDEMPOTENCY_MIGRATIONS_TABLE_SQL,
  qualifyIdempotencySql,
} from './schema.js';

export type PostgresIdempotencyStoreOptions = {
  /** A connection string (the ledger's `ledger.postgres.url`), or `pool` instead. */
  url?: string;
  /** An existing pool; it is not ended by `close()`. */
  pool?: pg.Pool;
  /** Schema of the table (the ledger's `ledger.postgres.schema`); created if missing. Default: `search_path`. */
  schema?: string;
  /** Pool size when `url` is given; default 5. */
  maxConnections?: number;
  /** Clock (epoch ms), for tests; default `Date.now`. */
  now?: () => number;
};

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
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
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new TypeError(`schema: "${options.schema}" is not a plain SQL identifier`);
  }
  const prefix = options.schema === undefined ? '' : `"${options.schema}".`;
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? createPool(options);
  try {
    await migrate(pool, options.schema, prefix, now);
  } catch (error) {
    if (ownsPool) await pool.end();
    throw error;
  }
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
      throw new Error(
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
    async close() {
      if (ownsPool && !pool.ended) await pool.end();
    },
  };
}

function createPool(options: PostgresIdempotencyStoreOptions): pg.Pool {
  if (!options.url) throw new TypeError('url or pool is required');
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 5 });
  // an idle client that loses its server must not crash the process; the next query reports it
  pool.on('error', () => {});
  return pool;
}

async function migrate(pool: pg.Pool, schema: string | undefined, prefix: string, now: () => number) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`x402kit-idempotency:${schema ?? ''}`]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(qualifyIdempotencySql(IDEMPOTENCY_MIGRATIONS_TABLE_SQL, prefix));
    const { rows } = await client.query(`SELECT version FROM ${prefix}${IDEMPOTENCY_MIGRATIONS_TABLE}`);
    const applied = new Set(rows.map((r: { version: unknown }) => Number(r.version)));
    for (const migration of IDEMPOTENCY_MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements)
        await client.query(qualifyIdempotencySql(statement, prefix));
      await client.query(
        `INSERT INTO ${prefix}${IDEMPOTENCY_MIGRATIONS_TABLE} (version, name, applied_at) VALUES ($1, $2, $3)`,
        [migration.version, migration.name, now()],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
