/**
 * Opening a SQLite file (through libsql) for the facilitator's stores: WAL journal, busy timeout,
 * and the store's pending migrations in one write transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'libsql';
import { type MigrationSet, migrationsTableSql, qualify } from './migrations.js';

export type OpenSqliteOptions = {
  /** File path, or `:memory:` (no WAL journal then). */
  path: string;
  /** How long a write waits for another process's write lock; default 5000 ms. */
  busyTimeoutMs?: number;
  /** Clock (epoch ms) stamped on applied migrations. */
  now: () => number;
};

export type OpenSqliteSpec = MigrationSet & {
  /** More pragmas set before migrating, e.g. `synchronous = NORMAL`. */
  pragmas?: readonly string[];
};

/**
 * Open (creating it and its directory if needed) the database and apply `spec`'s pending migrations; the database is
 * closed again when that fails.
 *
 * @example
 * const db = openSqlite({ path: './x402-ledger.db', now: Date.now }, { table: 'schema_migrations', migrations: MIGRATIONS })
 */
export function openSqlite(options: OpenSqliteOptions, spec: OpenSqliteSpec): Database.Database {
  const timeout = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000));
  // the default ledger sits in a data directory that may not exist yet
  if (options.path !== ':memory:' && !options.path.startsWith('file:'))
    mkdirSync(dirname(resolve(options.path)), { recursive: true });
  const db = new Database(options.path, { timeout });
  try {
    if (options.path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${timeout}`);
    for (const pragma of spec.pragmas ?? []) db.pragma(pragma);
    migrateSqlite(db, spec, options.now);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function migrateSqlite(db: Database.Database, spec: MigrationSet, now: () => number): void {
  db.exec(qualify(migrationsTableSql(spec.table), ''));
  const applied = db.prepare(`SELECT version FROM ${spec.table} WHERE version = ?`);
  const record = db.prepare(`INSERT INTO ${spec.table} (version, name, applied_at) VALUES (?, ?, ?)`);
  const run = db.transaction(() => {
    for (const migration of spec.migrations) {
      if (applied.get(migration.version) !== undefined) continue;
      for (const sql of migration.statements) db.exec(qualify(sql, ''));
      record.run(migration.version, migration.name, now());
    }
  });
  run.immediate();
}
