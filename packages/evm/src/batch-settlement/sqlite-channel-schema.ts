/**
 * Opening the SQLite channel store's file: `libsql` loaded on first use (an optional peer
 * dependency), WAL journal (`synchronous = NORMAL`), busy timeout, and the store's migrations
 * applied in one write transaction, recorded in `batch_settlement_migrations` (so the file may hold
 * other stores' tables).
 * Internal to the SQLite store.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type Database from 'libsql';
import { loadOptionalDriver } from './lazy-connection.js';

/** A row per channel: its state as JSON (none while only reserved) and the live reservation. */
const MIGRATIONS = [
  {
    version: 1,
    name: 'batch_settlement_channels',
    sql: `CREATE TABLE IF NOT EXISTS batch_settlement_channels (
  channel_id TEXT PRIMARY KEY,
  state TEXT,
  attempt TEXT,
  reserved_max TEXT,
  reserved_signature TEXT,
  expires_at INTEGER
)`,
  },
] as const;

/**
 * Open (creating it and its directory when missing) the store's database and migrate it.
 *
 * @example const db = await openChannelSqlite('./data/channels.db', 5000)
 */
export async function openChannelSqlite(path: string, busyTimeoutMs: number): Promise<Database.Database> {
  const timeout = Math.max(0, Math.trunc(busyTimeoutMs));
  const Sqlite = await loadOptionalDriver('sqlite', 'libsql', async () => (await import('libsql')).default);
  if (path !== ':memory:' && !path.startsWith('file:'))
    mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Sqlite(path, { timeout });
  try {
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${timeout}`);
    // as the facilitator's ledger: with WAL, a process crash loses nothing, a power cut the last commits
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS batch_settlement_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`);
  const applied = db.prepare('SELECT version FROM batch_settlement_migrations WHERE version = ?');
  const record = db.prepare(
    'INSERT INTO batch_settlement_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const run = db.transaction(() => {
    for (const migration of MIGRATIONS) {
      if (applied.get(migration.version) !== undefined) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    }
  });
  run.immediate();
}
