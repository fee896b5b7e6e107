/**
 * The discovery catalog's table, written once for SQLite (libsql) and PostgreSQL, in the ledger's
 * database with its own migrations table: one row per resource (the catalog key: origin plus route
 * template or path), the offers it was paid with and its bazaar declaration as JSON text.
 */
import { createTableMigration, type Migration, type MigrationSet } from '../db/migrations.js';

/** The discovery catalog's SQL migrations, applied in order by its SQLite and PostgreSQL stores. */
export const DISCOVERY_MIGRATIONS: readonly Migration[] = [
  createTableMigration(
    'discovery_resources',
    `resource TEXT PRIMARY KEY, type TEXT NOT NULL, x402_version INTEGER NOT NULL, accepts TEXT NOT NULL,
     description TEXT, mime_type TEXT, extensions TEXT, last_updated BIGINT NOT NULL`,
    [
      'CREATE INDEX IF NOT EXISTS discovery_resources_updated ON {{prefix}}discovery_resources (last_updated)',
    ],
  ),
];

/** The store's migrations and the table that records them. */
export const DISCOVERY_SCHEMA: MigrationSet = {
  table: 'discovery_migrations',
  migrations: DISCOVERY_MIGRATIONS,
};

export const DISCOVERY_COLUMNS =
  'resource, type, x402_version, accepts, description, mime_type, extensions, last_updated';
