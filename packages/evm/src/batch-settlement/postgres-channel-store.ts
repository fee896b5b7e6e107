/**
 * The `batch-settlement` channel store for several server instances on PostgreSQL: one table, each
 * method one statement (`reserve` an `INSERT … ON CONFLICT DO UPDATE … WHERE` the reservation is free,
 * lapsed or already this attempt's; `commit` an `UPDATE … WHERE attempt = $attempt`), so instances
 * sharing the database serve a channel one request at a time. `pg` is an optional peer dependency:
 * pass your own pool, or a `url` and the store loads `pg` on first use.
 */
import { openSqlPool, withSchemaLock } from '@x402kit/core/internal/node';
import type pg from 'pg';
import type { Hex } from 'viem';
import type { ChannelStore, ReserveResult } from './channel-store.js';
import { commitRecordValues, readChannelRecord } from './channel-store-record.js';
import { checkedChannelStore } from './checked-channel-store.js';
import { lazyConnection, loadOptionalDriver, requireConnectionOrUrl } from './lazy-connection.js';
import { type ChannelSql, channelSql, qualifiedTable } from './postgres-channel-sql.js';

/** Options of {@link createPostgresChannelStore}: a `pool` of yours, or a `url`. */
export type PostgresChannelStoreOptions = {
  /** A pool you created (and end yourself; `close()` leaves it open). */
  pool?: pg.Pool;
  /** A connection string; the store opens (and `close()` ends) a pool of its own. */
  url?: string;
  /** Pool size when `url` is given; default 10. */
  maxConnections?: number;
  /** The table's schema (created when missing); default the connection's `search_path`. */
  schema?: string;
  /** The table; default `batch_settlement_channels`. */
  table?: string;
  /** The clock (Unix ms) reservations lapse by and mirrors are stamped with; `Date.now` by default. */
  now?: () => number;
};

/**
 * A channel store in a PostgreSQL table (created on first use, under an advisory lock so instances
 * may start at once). Every server instance that shares the table shares the channels.
 *
 * @example
 * import pg from 'pg'
 * import { createPostgresChannelStore } from '@x402kit/evm/batch-settlement/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const channels = createPostgresChannelStore({ pool, schema: 'x402' })
 * const held = await channels.reserve(channelId, { attempt, signedMaxClaimable, signature, expiresAt })
 */
export function createPostgresChannelStore(options: PostgresChannelStoreOptions): ChannelStore {
  requireConnectionOrUrl(
    options?.pool,
    options?.url,
    'postgres channel store: pass a pg pool (pool) or a connection string (url)',
  );
  const table = qualifiedTable(options.schema, options.table ?? 'batch_settlement_channels');
  const sql = channelSql(table);
  const now = options.now ?? Date.now;
  const connection = lazyConnection(
    'postgres',
    () => openTable(options, table, sql),
    async (pool) => {
      if (options.pool === undefined && !pool.ended) await pool.end();
    },
  );
  const query: Query = async (text, values) => (await (await connection.get()).query(text, values)).rows;

  return checkedChannelStore('postgres', {
    get: async (id) => readChannelRow((await query(sql.get, [id]))[0]),
    reserve: (id, held) =>
      reserve(
        query,
        sql,
        id,
        [id, held.attempt, held.signedMaxClaimable, held.signature, held.expiresAt],
        now,
      ),
    async commit(_id, attempt, next) {
      const result = await (await connection.get()).query(sql.commit, commitRecordValues(attempt, next));
      return result.rowCount === 1;
    },
    release: (id, attempt) => query(sql.release, [id, attempt]),
    recordOnchain: (id, o) =>
      query(sql.recordOnchain, [id, o.balance, o.totalClaimed, o.withdrawRequestedAt, o.refundNonce, now()]),
    delete: (id) => query(sql.delete, [id]),
    list: async () => (await query(sql.list, [])).flatMap((row) => readChannelRow(row) ?? []),
    close: () => connection.close(),
  });
}

const readChannelRow = (row: Record<string, unknown> | undefined) =>
  row === undefined ? undefined : readChannelRecord(String(row.channel_id), row);

type Query = (text: string, values: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Take the channel, or answer who holds it. When the holder frees it between the refused statement
 * and the look, the statement runs again; each such round means another attempt took the channel in
 * between, so after a few the answer is busy (the channel is contended), not an error.
 */
async function reserve(
  query: Query,
  sql: ChannelSql,
  id: Hex,
  values: unknown[],
  clock: () => number,
): Promise<ReserveResult> {
  for (let round = 0; ; round++) {
    const now = clock();
    const taken = await query(sql.reserve, [...values, now]);
    if (taken.length === 1) return { status: 'reserved', channel: readChannelRow(taken[0]) };
    const [held] = await query(sql.held, [id]);
    const heldUntil = Number(held?.expires_at);
    if (held?.attempt != null && heldUntil > now) return { status: 'busy', heldUntil };
    if (round === 10) return { status: 'busy', heldUntil: now };
  }
}

async function openTable(
  options: PostgresChannelStoreOptions,
  table: string,
  sql: ChannelSql,
): Promise<pg.Pool> {
  const pool = options.pool ?? (await ownPool(options.url ?? '', options.maxConnections ?? 10));
  try {
    const lockKey = `x402kit-batch-settlement:${table}`;
    await withSchemaLock(pool, lockKey, options.schema, (client) => client.query(sql.create));
  } catch (error) {
    if (options.pool === undefined) await pool.end().catch(() => {});
    throw error;
  }
  return pool;
}

async function ownPool(url: string, max: number): Promise<pg.Pool> {
  const driver = await loadOptionalDriver('postgres', 'pg', async () => (await import('pg')).default);
  return openSqlPool(driver.Pool, { connectionString: url, max, connectionTimeoutMillis: 5000 });
}
