/**
 * A token-bucket rate limiter in PostgreSQL, so facilitator instances sharing one database share
 * each key's budget. One row per key; a take is one `INSERT … ON CONFLICT DO UPDATE … WHERE`
 * (the row lock serializes concurrent takes), timed by the database clock so instances with
 * skewed clocks agree. When the database cannot be reached, requests are let through (the ledger
 * refuses settlements then anyway) and a warning is logged.
 */
import type pg from 'pg';
import { createPostgresPool, schemaPrefix, withSchemaLock } from './db/postgres.js';
import { createEmitter, type Log } from './log.js';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.js';

/** Options of `createPostgresRateLimiter`. */
export type PostgresRateLimiterOptions = {
  /** A connection string, or `pool` instead. */
  url?: string;
  pool?: pg.Pool;
  /** Schema of the `rate_limits` table (the ledger's schema); default the `search_path`. */
  schema?: string;
  log?: Log;
};

/** What `createPostgresRateLimiter` returns. */
export type PostgresRateLimiter = RateLimiter & {
  take(key: string, perMinute: number): Promise<RateLimitDecision>;
  /** End the pool (when the limiter created it). */
  close(): Promise<void>;
};

const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::float8';
/** Rows idle this long are full again and are deleted now and then. */
const IDLE_MS = 120_000;
const SWEEP_EVERY = 500;

/**
 * Connect and create the table if needed.
 *
 * @example
 * const limiter = await createPostgresRateLimiter({ url: process.env.DATABASE_URL, schema: 'x402' })
 * createApiKeyAuth({ keys, anonymous, limiter })
 */
export async function createPostgresRateLimiter(
  options: PostgresRateLimiterOptions,
): Promise<PostgresRateLimiter> {
  const prefix = schemaPrefix(options.schema);
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? createPostgresPool(options.url, 4);
  const emit = createEmitter(options.log);
  const table = `${prefix}rate_limits`;
  try {
    await withSchemaLock(pool, `x402kit-rate-limits:${prefix}`, options.schema, (client) =>
      client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, tokens FLOAT8 NOT NULL, updated_at FLOAT8 NOT NULL)`,
      ),
    );
  } catch (error) {
    if (ownsPool) await pool.end();
    throw error;
  }

  const takeSql = `INSERT INTO ${table} AS b (key, tokens, updated_at)
    SELECT $1, $2::float8 - 1, ${NOW_MS}
    ON CONFLICT (key) DO UPDATE SET
      tokens = LEAST($2::float8, b.tokens + (EXCLUDED.updated_at - b.updated_at) * $2::float8 / 60000.0) - 1,
      updated_at = EXCLUDED.updated_at
    WHERE LEAST($2::float8, b.tokens + (EXCLUDED.updated_at - b.updated_at) * $2::float8 / 60000.0) >= 1
    RETURNING tokens`;
  const availableSql = `SELECT LEAST($2::float8, tokens + (${NOW_MS} - updated_at) * $2::float8 / 60000.0) AS available
    FROM ${table} WHERE key = $1`;
  let takes = 0;

  return {
    async take(key, perMinute) {
      try {
        if (++takes % SWEEP_EVERY === 0) {
          pool.query(`DELETE FROM ${table} WHERE updated_at < ${NOW_MS} - ${IDLE_MS}`).catch(() => {});
        }
        const taken = await pool.query(takeSql, [key, perMinute]);
        if (taken.rowCount === 1) return { ok: true };
        const { rows } = await pool.query(availableSql, [key, perMinute]);
        const available = Number(rows[0]?.available ?? 0);
        const waitMs = ((1 - available) / perMinute) * 60_000;
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      } catch (error) {
        emit('warn', 'rate limiter: the database cannot be reached; the request is let through', {
          error: error instanceof Error ? error.message : String(error),
        });
        return { ok: true };
      }
    },
    async close() {
      if (ownsPool && !pool.ended) await pool.end();
    },
  };
}
