/**
 * The ledger schema, written once for both stores (SQLite/libsql and PostgreSQL): plain `TEXT`
 * and `BIGINT` columns, timestamps in epoch milliseconds, JSON outcomes as text. Migrations are
 * applied in order at startup and recorded in `schema_migrations`; applying them again is a no-op.
 *
 * `payments` is keyed by the payment's identity (network, asset, payer, nonce), so the database
 * itself refuses a second claim of a payment; a partial unique index also refuses one transaction
 * recorded as the settlement of two payments.
 */

import {
  createTableMigration,
  type Migration,
  type MigrationSet,
  rebuildTableSql,
} from '../db/migrations.js';

export type { Migration } from '../db/migrations.js';

/** The columns of version 1 (with the states it allowed); version 3 rebuilds the table with more. */
const paymentColumns = (states: string): string =>
  `network TEXT NOT NULL, asset TEXT NOT NULL, payer TEXT NOT NULL, nonce TEXT NOT NULL,
   state TEXT NOT NULL CHECK (state IN (${states})),
   payload_hash TEXT NOT NULL, tx_hash TEXT, outcome TEXT, owner TEXT NOT NULL,
   created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL`;

const PAYMENTS_KEY = 'PRIMARY KEY (network, asset, payer, nonce)';

/** Indexes of version 1, made again after version 3's rebuild. */
const PAYMENTS_INDEXES = [
  'CREATE INDEX IF NOT EXISTS payments_tx_hash ON {{prefix}}payments (tx_hash)',
  'CREATE INDEX IF NOT EXISTS payments_payer ON {{prefix}}payments (payer, created_at)',
  `CREATE UNIQUE INDEX IF NOT EXISTS payments_settled_tx ON {{prefix}}payments (network, tx_hash)
    WHERE state = 'settled'`,
];

/** The settlement ledger's SQL migrations, applied in order by the SQLite and PostgreSQL ledgers. */
export const MIGRATIONS: readonly Migration[] = [
  createTableMigration(
    'payments',
    `${paymentColumns("'claimed', 'broadcast', 'settled', 'failed', 'pending'")}, ${PAYMENTS_KEY}`,
    PAYMENTS_INDEXES,
  ),
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
  {
    // the grant rule: a verified payment is `reserved` for one grant attempt until it settles or
    // its time window ends; `attempt` names the request that holds a row. SQLite cannot change a
    // CHECK constraint in place, so the table is rebuilt (the same statements work in PostgreSQL).
    version: 3,
    name: 'payments_grants',
    statements: [
      ...rebuildTableSql(
        'payments',
        3,
        `${paymentColumns("'reserved', 'claimed', 'broadcast', 'settled', 'failed', 'pending'")},
         payment TEXT, lease_until BIGINT, attempt TEXT, expires_at BIGINT, ${PAYMENTS_KEY}`,
        'network, asset, payer, nonce, state, payload_hash, tx_hash, outcome, owner, created_at, updated_at, payment, lease_until',
      ),
      ...PAYMENTS_INDEXES,
      'CREATE INDEX IF NOT EXISTS payments_unresolved ON {{prefix}}payments (state, updated_at)',
      'CREATE INDEX IF NOT EXISTS payments_owner ON {{prefix}}payments (owner, state)',
    ],
  },
  {
    // who made a reservation without an attempt (an API key's name): only that caller may settle it
    version: 4,
    name: 'payments_principal',
    statements: ['ALTER TABLE {{prefix}}payments ADD COLUMN principal TEXT'],
  },
];

/** The ledger's migrations and the table that records them. */
export const LEDGER_SCHEMA: MigrationSet = { table: 'schema_migrations', migrations: MIGRATIONS };

/** The columns every query reads, in one place. */
export const PAYMENT_COLUMNS =
  'network, asset, payer, nonce, state, payload_hash, tx_hash, outcome, owner, created_at, updated_at, attempt, expires_at, principal';
