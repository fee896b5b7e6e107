/**
 * The embedded `batch-settlement` channel store for one machine: one SQLite file (through `libsql`, an optional peer
 * dependency loaded on first use), WAL journal and a busy timeout, every method one `BEGIN IMMEDIATE`
 * transaction, so server processes on one machine may share the file.
 */
import type Database from 'libsql';
import type { Hex } from 'viem';
import type { ChannelReservation, ChannelStore, ReserveResult, ServerChannel } from './channel-store.js';
import {
  channelStoreError,
  type OnchainFields,
  parseStoredJson,
  readStoredChannel,
} from './channel-store-checks.js';
import { mergeCommittedChannel, mergeOnchain } from './channel-store-merge.js';
import { checkedChannelStore } from './checked-channel-store.js';
import { lazyConnection } from './lazy-connection.js';
import { openChannelSqlite } from './sqlite-channel-schema.js';

/** Options of {@link createSqliteChannelStore}. */
export type SqliteChannelStoreOptions = {
  /** The database file (created with its directory when missing), or `:memory:` for one process. */
  path: string;
  /** How long a write waits for another process's lock; default 5000 ms. */
  busyTimeoutMs?: number;
  /** The clock (Unix ms) reservations lapse by and mirrors are stamped with; `Date.now` by default. */
  now?: () => number;
};

type Row = { state: string | null; attempt: string | null; expires_at: number | null };

/**
 * A channel store in a SQLite file: the embedded store for one machine, channels kept across restarts.
 * The file is opened (and its table created) on first use; `close()` closes it.
 *
 * @example
 * import { createSqliteChannelStore } from '@x402kit/evm/batch-settlement/sqlite'
 *
 * const channels = createSqliteChannelStore({ path: './data/channels.db' })
 * const held = await channels.reserve(channelId, { attempt, signedMaxClaimable, signature, expiresAt })
 * if (held.status === 'busy') return busy(held.heldUntil)
 */
export function createSqliteChannelStore(options: SqliteChannelStoreOptions): ChannelStore {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw channelStoreError('sqlite channel store: path must be a file path or ":memory:"');
  }
  const now = options.now ?? Date.now;
  const connection = lazyConnection(
    'sqlite',
    () => openChannelSqlite(options.path, options.busyTimeoutMs ?? 5000),
    (db) => {
      db.close();
    },
  );
  const db = () => connection.get();

  return checkedChannelStore('sqlite', {
    get: async (id) => readRow(id, selectRow(await db(), id)),
    reserve: async (id, held) => reserve(await db(), id, held, now()),
    commit: async (id, attempt, next) => commit(await db(), id, attempt, next),
    release: async (id, attempt) => release(await db(), id, attempt),
    recordOnchain: async (id, fields) => recordOnchain(await db(), id, fields, now()),
    delete: async (id) =>
      (await db()).prepare('DELETE FROM batch_settlement_channels WHERE channel_id = ?').run(id),
    async list() {
      const rows = (await db())
        .prepare(
          'SELECT channel_id, state FROM batch_settlement_channels WHERE state IS NOT NULL ORDER BY channel_id',
        )
        .all() as { channel_id: string; state: string }[];
      return rows.map((row) => readStoredChannel(row.channel_id, parseStoredJson(row.channel_id, row.state)));
    },
    close: () => connection.close(),
  });
}

function selectRow(db: Database.Database, id: Hex): Row | undefined {
  return db
    .prepare('SELECT state, attempt, expires_at FROM batch_settlement_channels WHERE channel_id = ?')
    .get(id) as Row | undefined;
}

function readRow(id: Hex, row: Row | undefined): ServerChannel | undefined {
  if (row?.state == null) return undefined;
  return readStoredChannel(id, parseStoredJson(id, row.state));
}

function reserve(db: Database.Database, id: Hex, held: ChannelReservation, now: number): ReserveResult {
  const run = db.transaction((): ReserveResult => {
    const row = selectRow(db, id);
    if (row?.attempt != null && row.attempt !== held.attempt && Number(row.expires_at) > now) {
      return { status: 'busy', heldUntil: Number(row.expires_at) };
    }
    db.prepare(
      `INSERT INTO batch_settlement_channels (channel_id, attempt, reserved_max, reserved_signature, expires_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (channel_id) DO UPDATE SET attempt = excluded.attempt, reserved_max = excluded.reserved_max,
         reserved_signature = excluded.reserved_signature, expires_at = excluded.expires_at`,
    ).run(id, held.attempt, held.signedMaxClaimable, held.signature, held.expiresAt);
    return { status: 'reserved', channel: readRow(id, row) };
  });
  return run.immediate();
}

function commit(db: Database.Database, id: Hex, attempt: string, next: ServerChannel): boolean {
  const run = db.transaction((): boolean => {
    const row = selectRow(db, id);
    if (row?.attempt !== attempt) return false;
    const written = mergeCommittedChannel(readRow(id, row), next);
    db.prepare(
      `UPDATE batch_settlement_channels SET state = ?, attempt = NULL, reserved_max = NULL,
         reserved_signature = NULL, expires_at = NULL WHERE channel_id = ?`,
    ).run(JSON.stringify(written), id);
    return true;
  });
  return run.immediate();
}

function release(db: Database.Database, id: Hex, attempt: string): void {
  const run = db.transaction(() => {
    db.prepare(
      'DELETE FROM batch_settlement_channels WHERE channel_id = ? AND attempt = ? AND state IS NULL',
    ).run(id, attempt);
    db.prepare(
      `UPDATE batch_settlement_channels SET attempt = NULL, reserved_max = NULL, reserved_signature = NULL,
         expires_at = NULL WHERE channel_id = ? AND attempt = ?`,
    ).run(id, attempt);
  });
  run.immediate();
}

function recordOnchain(db: Database.Database, id: Hex, onchain: OnchainFields, now: number): void {
  const run = db.transaction(() => {
    const stored = readRow(id, selectRow(db, id));
    if (stored === undefined) return;
    db.prepare('UPDATE batch_settlement_channels SET state = ? WHERE channel_id = ?').run(
      JSON.stringify(mergeOnchain(stored, onchain, now)),
      id,
    );
  });
  run.immediate();
}
