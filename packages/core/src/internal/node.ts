/**
 * `@x402kit/core/internal/node`: the Node-only helpers the x402kit packages share (the browser-safe
 * entries of core never import this file).
 *
 * Where x402kit keeps its files when the configuration names none (the facilitator's ledger, a resource
 * server's batch-settlement channels): a per-user data directory, never the directory it was started
 * from. `$X402KIT_DATA_DIR`, else `$XDG_DATA_HOME/x402kit`, else the platform's place
 * (`~/.local/share/x402kit` on Linux, `~/Library/Application Support/x402kit` on macOS,
 * `%LOCALAPPDATA%\x402kit` on Windows).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The data directory for this environment (an absolute path; not created here).
 *
 * @example dataDirectory({ XDG_DATA_HOME: '/home/me/.data' }) // '/home/me/.data/x402kit'
 */
export function dataDirectory(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.X402KIT_DATA_DIR) return resolve(env.X402KIT_DATA_DIR);
  if (env.XDG_DATA_HOME) return join(resolve(env.XDG_DATA_HOME), 'x402kit');
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'x402kit');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'x402kit');
  return join(home, '.local', 'share', 'x402kit');
}

/** The part of a PostgreSQL pool client (`pg`'s `PoolClient`) that {@link withSchemaLock} uses. */
export type SqlLockClient = { query(text: string, values?: unknown[]): Promise<unknown>; release(): void };

/**
 * Run `body` in one transaction on a client of `pool` holding the advisory lock `lockKey`, after
 * creating `schema` when it is given and missing; rolled back when `body` throws. Several processes
 * setting up the same tables at once take turns. The pool is `pg`'s (core does not import the driver).
 *
 * @example
 * await withSchemaLock(pool, 'x402kit-rate-limits:', undefined, (client) => client.query('CREATE TABLE …'))
 */
export async function withSchemaLock<C extends SqlLockClient>(
  pool: { connect(): Promise<C> },
  lockKey: string,
  schema: string | undefined,
  body: (client: C) => Promise<unknown>,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await body(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** What {@link openSqlPool} passes to the driver's pool constructor. */
export type SqlPoolConfig = { connectionString: string; max: number; connectionTimeoutMillis?: number };

/**
 * A new pool of the driver `Pool` (`pg.Pool`) whose idle clients may lose their server without
 * crashing the process: the pool's `error` events are dropped, the next query reports the failure.
 *
 * @example
 * const pool = openSqlPool(pg.Pool, { connectionString: 'postgres://postgres@127.0.0.1:5432/x402', max: 10 })
 */
export function openSqlPool<P extends { on(event: 'error', listener: (error: Error) => void): unknown }>(
  Pool: new (config: SqlPoolConfig) => P,
  config: SqlPoolConfig,
): P {
  const pool = new Pool(config);
  pool.on('error', () => {});
  return pool;
}
