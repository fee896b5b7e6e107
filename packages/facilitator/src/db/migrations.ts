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

/**
 * The first migration of a store: create its table (if missing) with `columns`, the text between
 * the parentheses, then run `after` (its indexes). The migration is named after the table.
 *
 * @example
 * createTableMigration('payments', 'network TEXT NOT NULL, nonce TEXT NOT NULL, PRIMARY KEY (network, nonce)', [
 *   'CREATE INDEX IF NOT EXISTS payments_nonce ON {{prefix}}payments (nonce)',
 * ])
 */
export function createTableMigration(
  table: string,
  columns: string,
  after: readonly string[] = [],
): Migration {
  return {
    version: 1,
    name: table,
    statements: [`CREATE TABLE IF NOT EXISTS {{prefix}}${table} (${columns})`, ...after],
  };
}

/**
 * The statements that rebuild `table` with new `columns` (SQLite cannot change a column's
 * constraints in place; the same statements work in PostgreSQL): create `<table>_v<version>`,
 * copy the `copied` columns over, drop the old table and rename the new one. Indexes go after.
 *
 * @example
 * rebuildTableSql('leases', 2, 'family TEXT NOT NULL CHECK (length(family) > 0), address TEXT NOT NULL', 'family, address')
 */
export function rebuildTableSql(table: string, version: number, columns: string, copied: string): string[] {
  const next = `${table}_v${version}`;
  return [
    `CREATE TABLE {{prefix}}${next} (${columns})`,
    `INSERT INTO {{prefix}}${next} (${copied}) SELECT ${copied} FROM {{prefix}}${table}`,
    `DROP TABLE {{prefix}}${table}`,
    `ALTER TABLE {{prefix}}${next} RENAME TO ${table}`,
  ];
}
