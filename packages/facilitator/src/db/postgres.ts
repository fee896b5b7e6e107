/**
 * Opening PostgreSQL for the facilitator's stores (ledger, idempotency, rate limits): schema name
 * checks, the pool, and schema setup under an advisory lock, so several facilitators may start at
 * once against one database.
 */
import { withReason } from '@x402kit/core';
import { openSqlPool, withSchemaLock as withLock } from '@x402kit/core/internal/node';
import pg from 'pg';
import { FacilitatorReasons } from '../facilitator-reasons.js';
import { type MigrationSet, migrationsTableSql, qualify } from './migrations.js';

/**
 * Run `body` in one transaction holding the advisory lock `lockKey`, after creating `schema` if it is
 * given and missing; rolled back when `body` throws. Core's, shared with the batch-settlement channel
 * store; typed here for `pg`.
 *
 * @example
 * await withSchemaLock(pool, 'x402kit-rate-limits:', undefined, (client) => client.query('CREATE TABLE …'))
 */
export const withSchemaLock: (
  pool: pg.Pool,
  lockKey: string,
  schema: string | undefined,
  body: (client: pg.PoolClient) => Promise<unknown>,
) => Promise<void> = withLock;

/** Builds the error thrown for options that cannot work; each store keeps its own error class. */
export type OptionsErrorFactory = (message: string) => Error;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
// a TypeError (callers may test the class) that is an x402kit error with the config reason
const typeError: OptionsErrorFactory = (message) =>
  withReason(new TypeError(message), FacilitatorReasons.config);

/**
 * The qualifier for tables in `schema` (`"schema".`), or `''` for the connection's `search_path`.
 * Throws (through `toError`) when the name is not a plain SQL identifier.
 *
 * @example
 * schemaPrefix('ledger_a') // '"ledger_a".'
 * schemaPrefix(undefined) // ''
 */
export function schemaPrefix(schema: string | undefined, toError: OptionsErrorFactory = typeError): string {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw toError(`schema: "${schema}" is not a plain SQL identifier`);
  }
  return schema === undefined ? '' : `"${schema}".`;
}

/**
 * A pool whose idle clients may lose their server without crashing the process (the next query
 * reports it).
 *
 * @example
 * const pool = createPostgresPool('postgres://postgres@127.0.0.1:5432/x402', 10)
 */
export function createPostgresPool(url: string | undefined, max: number, toError = typeError): pg.Pool {
  if (!url) throw toError('url or pool is required');
  return openSqlPool(pg.Pool, { connectionString: url, max });
}

export type OpenPostgresOptions = {
  /** A connection string, or `pool` instead. */
  url?: string;
  /** An existing pool; the caller ends it, not `close()`. */
  pool?: pg.Pool;
  /** Schema of the tables; created if missing. Default: the connection's `search_path`. */
  schema?: string;
  /** Pool size when `url` is given. */
  maxConnections?: number;
  /** Clock (epoch ms) stamped on applied migrations. */
  now: () => number;
};

export type OpenPostgresSpec = MigrationSet & {
  /** Pool size when `url` is given and `maxConnections` is not. */
  defaultMaxConnections: number;
  /** Names the advisory lock, e.g. `x402kit-ledger` (the schema is appended). */
  lockName: string;
  toError?: OptionsErrorFactory;
};

export type OpenedPostgres = {
  pool: pg.Pool;
  /** The schema qualifier for table names (`"s".` or empty). */
  prefix: string;
  /** End the pool if it was opened here. */
  close(): Promise<void>;
};

/**
 * Check the options, open the pool (unless one is given) and apply `spec`'s pending migrations;
 * a pool opened here is ended again when that fails.
 *
 * @example
 * const { pool, prefix, close } = await openPostgres(
 *   { url, schema: 'ledger_a', now: Date.now },
 *   { table: 'schema_migrations', migrations: MIGRATIONS, defaultMaxConnections: 10, lockName: 'x402kit-ledger' },
 * )
 */
export async function openPostgres(
  options: OpenPostgresOptions,
  spec: OpenPostgresSpec,
): Promise<OpenedPostgres> {
  const prefix = schemaPrefix(options.schema, spec.toError);
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    createPostgresPool(options.url, options.maxConnections ?? spec.defaultMaxConnections, spec.toError);
  try {
    await migratePostgres(pool, options.schema, prefix, spec, options.now);
  } catch (error) {
    if (ownsPool) await pool.end();
    throw error;
  }
  return {
    pool,
    prefix,
    async close() {
      if (ownsPool && !pool.ended) await pool.end();
    },
  };
}

async function migratePostgres(
  pool: pg.Pool,
  schema: string | undefined,
  prefix: string,
  spec: OpenPostgresSpec,
  now: () => number,
): Promise<void> {
  await withSchemaLock(pool, `${spec.lockName}:${schema ?? ''}`, schema, async (client) => {
    await client.query(qualify(migrationsTableSql(spec.table), prefix));
    const { rows } = await client.query(`SELECT version FROM ${prefix}${spec.table}`);
    const applied = new Set(rows.map((r: { version: unknown }) => Number(r.version)));
    for (const migration of spec.migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await client.query(qualify(statement, prefix));
      await client.query(
        `INSERT INTO ${prefix}${spec.table} (version, name, applied_at) VALUES ($1, $2, $3)`,
        [migration.version, migration.name, now()],
      );
    }
  });
}
