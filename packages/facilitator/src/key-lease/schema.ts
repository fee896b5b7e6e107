/**
 * The settlement-key lease table, written once for SQLite (libsql) and PostgreSQL, in the ledger's
 * database with its own migrations table, so it evolves apart from the ledger and the idempotency store.
 */
import type { Migration } from '../db/migrations.js';

export const KEY_LEASE_MIGRATIONS_TABLE = 'settlement_key_lease_migrations';

export const KEY_LEASE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'settlement_key_leases',
    statements: [
      // one row per settlement address and chain family; `token` tells one process from another
      // (two processes may share an instance id by mistake); times are epoch ms of the database's clock
      `CREATE TABLE IF NOT EXISTS {{prefix}}settlement_key_leases (
        family TEXT NOT NULL,
        address TEXT NOT NULL,
        holder TEXT NOT NULL,
        token TEXT NOT NULL,
        stale_after_ms BIGINT NOT NULL,
        acquired_at BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL,
        PRIMARY KEY (family, address)
      )`,
    ],
  },
  {
    // the chain modules name their own families: the table no longer lists them (version 1 once did)
    version: 2,
    name: 'settlement_key_leases_any_family',
    statements: [
      `CREATE TABLE {{prefix}}settlement_key_leases_v2 (
        family TEXT NOT NULL CHECK (length(family) > 0),
        address TEXT NOT NULL,
        holder TEXT NOT NULL,
        token TEXT NOT NULL,
        stale_after_ms BIGINT NOT NULL,
        acquired_at BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL,
        PRIMARY KEY (family, address)
      )`,
      `INSERT INTO {{prefix}}settlement_key_leases_v2 (family, address, holder, token, stale_after_ms,
         acquired_at, heartbeat_at)
       SELECT family, address, holder, token, stale_after_ms, acquired_at, heartbeat_at
       FROM {{prefix}}settlement_key_leases`,
      'DROP TABLE {{prefix}}settlement_key_leases',
      'ALTER TABLE {{prefix}}settlement_key_leases_v2 RENAME TO settlement_key_leases',
    ],
  },
];

export const KEY_LEASE_COLUMNS = 'family, address, holder, token, stale_after_ms, acquired_at, heartbeat_at';
