/**
 * The ledger schema, written once for both stores (SQLite/libsql and PostgreSQL): plain `TEXT`
 * and `BIGINT` columns, timestamps in epoch milliseconds, JSON outcomes as text. Migrations are
 * applied in order at startup and recorded in `schema_migrations`; applying them again is a no-op.
 *
 * `payments` is keyed by the payment's identity (network, asset, payer, nonce), so the database
 * itself refuses a second claim of a payment; a partial unique index also refuses one transaction
 * recorded as the settlement of two payments.
 */

export type Migration = {
  version: number;
  name: string;
  /** Statements run in order in one transaction; `{{prefix}}` is the schema qualifier (`"s".` or empty). */
  statements: readonly string[];
};

export const MIGRATIONS_TABLE = 'schema_migrations';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'payments',
    statements: [
      `CREATE TABLE IF NOT EXISTS {{prefix}}payments (
        network TEXT NOT NULL,
        asset TEXT NOT NULL,
        payer TEXT NOT NULL,
        nonce TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('claimed', 'broadcast', 'settled', 'failed', 'pending')),
        payload_hash TEXT NOT NULL,
        tx_hash TEXT,
        outcome TEXT,
        owner TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (network, asset, payer, nonce)
      )`,
      'CREATE INDEX IF NOT EXISTS payments_tx_hash ON {{prefix}}payments (tx_hash)',
      'CREATE INDEX IF NOT EXISTS payments_payer ON {{prefix}}payments (payer, created_at)',
      `CREATE UNIQUE INDEX IF NOT EXISTS payments_settled_tx ON {{prefix}}payments (network, tx_hash)
        WHERE state = 'settled'`,
    ],
  },
  {
    // what the background reconciler needs: the payment as presented, and a lease per row
    version: 2,
    name: 'payments_reconcile',
    statements: [
      'ALTER TABLE {{prefix}}payments ADD COLUMN payment TEXT',
      'ALTER TABLE {{prefix}}payments ADD COLUMN lease_until BIGINT',
      'CREATE INDEX IF NOT EXISTS payments_unresolved ON {{prefix}}payments (state, updated_at)',
    ],
  },
];

/** The migrations table, created before any migration runs. */
export const MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS {{prefix}}${MIGRATIONS_TABLE} (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** The columns every query reads, in one place. */
export const PAYMENT_COLUMNS =
  'network, asset, payer, nonce, state, payload_hash, tx_hash, outcome, owner, created_at, updated_at';

/**
 * `sql` with the schema qualifier filled in.
 *
 * @example qualify('SELECT 1 FROM {{prefix}}payments', '"ledger_a".') // 'SELECT 1 FROM "ledger_a".payments'
 */
export function qualify(sql: string, prefix: string): string {
  return sql.replaceAll('{{prefix}}', prefix);
}
