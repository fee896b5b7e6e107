/**
 * Schema migrations, shared by the ledger and the idempotency store in both databases (SQLite
 * through libsql and PostgreSQL): each store lists its migrations and names its own migrations
 * table, so the stores evolve separately in one database.
 */

/** One migration: statements run in order in one transaction; `{{prefix}}` is the schema qualifier (`"s".` or empty). */
export type Migration = {
  version: number;
  name: string;
  statements: readonly string[];
};

/** A store's migrations and the table that records which of them were applied. */
export type MigrationSet = {
  /** The migrations table, e.g. `schema_migrations`. */
  table: string;
  migrations: readonly Migration[];
};

/**
 * The `CREATE TABLE` of a migrations table, with the `{{prefix}}` placeholder left in.
 *
 * @example
 * migrationsTableSql('schema_migrations') // 'CREATE TABLE IF NOT EXISTS {{prefix}}schema_migrations (…)'
 */
export function migrationsTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS {{prefix}}${table} (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;
}

/**
 * `sql` with the schema qualifier filled in.
 *
 * @example qualify('SELECT 1 FROM {{prefix}}payments', '"ledger_a".') // 'SELECT 1 FROM "ledger_a".payments'
 */
export function qualify(sql: string, prefix: string): string {
  return sql.replaceAll('{{prefix}}', prefix);
}
