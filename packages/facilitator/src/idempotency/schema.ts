/**
 * The idempotency table, written once for SQLite (libsql) and PostgreSQL, next to the ledger's
 * tables in the same database but with its own migrations table, so the two evolve separately.
 */

import { createTableMigration, type Migration, type MigrationSet } from '../db/migrations.js';

/** One migration: statements run in order in one transaction; `{{prefix}}` is the schema qualifier. */
export type IdempotencyMigration = Migration;

/** The payment-identifier store's SQL migrations, applied in order by its SQLite and PostgreSQL stores. */
export const IDEMPOTENCY_MIGRATIONS: readonly IdempotencyMigration[] = [
  createTableMigration(
    'payment_identifiers',
    `id TEXT NOT NULL, operation TEXT NOT NULL CHECK (operation IN ('verify', 'settle')),
     payload_hash TEXT NOT NULL, request_hash TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('claimed', 'completed')), result TEXT, owner TEXT NOT NULL,
     created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
     PRIMARY KEY (id, operation)`,
    ['CREATE INDEX IF NOT EXISTS payment_identifiers_created ON {{prefix}}payment_identifiers (created_at)'],
  ),
];

/** The store's migrations and the table that records them. */
export const IDEMPOTENCY_SCHEMA: MigrationSet = {
  table: 'payment_identifier_migrations',
  migrations: IDEMPOTENCY_MIGRATIONS,
};

export const IDEMPOTENCY_COLUMNS =
  'id, operation, payload_hash, request_hash, state, result, owner, created_at, updated_at';
