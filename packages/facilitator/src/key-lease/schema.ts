/**
 * The settlement-key lease table, written once for SQLite (libsql) and PostgreSQL, in the ledger's
 * database with its own migrations table, so it evolves apart from the ledger and the idempotency store.
 */
import {
  createTableMigration,
  type Migration,
  type MigrationSet,
  rebuildTableSql,
} from '../db/migrations.js';

export const KEY_LEASE_COLUMNS = 'family, address, holder, token, stale_after_ms, acquired_at, heartbeat_at';

/**
 * One row per settlement address and chain family; `token` tells one process from another (two
 * processes may share an instance id by mistake); times are epoch ms of the database's clock.
 * Only the constraint on `family` changed between versions.
 */
const leaseColumns = (family: string): string =>
  `family ${family}, address TEXT NOT NULL, holder TEXT NOT NULL, token TEXT NOT NULL,
   stale_after_ms BIGINT NOT NULL, acquired_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL,
   PRIMARY KEY (family, address)`;

export const KEY_LEASE_MIGRATIONS: readonly Migration[] = [
  createTableMigration('settlement_key_leases', leaseColumns('TEXT NOT NULL')),
  {
    // the chain modules name their own families: the table no longer lists them (version 1 once did)
    version: 2,
    name: 'settlement_key_leases_any_family',
    statements: rebuildTableSql(
      'settlement_key_leases',
      2,
      leaseColumns('TEXT NOT NULL CHECK (length(family) > 0)'),
      'family, address, holder, token, stale_after_ms, acquired_at, heartbeat_at',
    ),
  },
];

/** The store's migrations and the table that records them. */
export const KEY_LEASE_SCHEMA: MigrationSet = {
  table: 'settlement_key_lease_migrations',
  migrations: KEY_LEASE_MIGRATIONS,
};
