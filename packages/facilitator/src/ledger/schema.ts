/**
 * The ledger schema, written once for both stores (SQLite/libsql and PostgreSQL): plain `TEXT`
 * and `BIGINT` columns, timestamps in epoch milliseconds, JSON outcomes as text. Migrations are
 * applied in order at startup and recorded in `schema_migrations`; applying them again is a no-op.
 *
 * `payments` is keyed by the payment's identity (network, asset, payer, nonce), so the database
 * itself refuses a second claim of a payment; a partial unique index also refuses one transaction
 * recorded as the settlement of two payments.
 */

import type { Migration } from '../db/migrations.js';

export type { Migration } from '../db/migrations.js';

export const MIGRATIONS_TABLE = 'schema_migrations';

/** The settlement ledger's SQL migrations, applied in order by the SQLite and PostgreSQL ledgers. */
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
  {
    // the grant rule: a verified payment is `reserved` for one grant attempt until it settles or
    // its time window ends; `attempt` names the request that holds a row. SQLite cannot change a
    // CHECK constraint in place, so the table is rebuilt (the same statements work in PostgreSQL).
    version: 3,
    name: 'payments_grants',
    statements: [
      `CREATE TABLE {{prefix}}payments_v3 (
        network TEXT NOT NULL,
        asset TEXT NOT NULL,
        payer TEXT NOT NULL,
        nonce TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('reserved', 'claimed', 'broadcast', 'settled', 'failed', 'pending')),
        payload_hash TEXT NOT NULL,
        tx_hash TEXT,
        outcome TEXT,
        owner TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        payment TEXT,
        lease_until BIGINT,
        attempt TEXT,
        expires_at BIGINT,
        PRIMARY KEY (network, asset, payer, nonce)
      )`,
      `INSERT INTO {{prefix}}payments_v3 (network, asset, payer, nonce, state, payload_hash, tx_hash, outcome,
         owner, created_at, updated_at, payment, lease_until)
       SELECT network, asset, payer, nonce, state, payload_hash, tx_hash, outcome, owner, created_at,
         updated_at, payment, lease_until FROM {{prefix}}payments`,
      'DROP TABLE {{prefix}}payments',
      'ALTER TABLE {{prefix}}payments_v3 RENAME TO payments',
      'CREATE INDEX IF NOT EXISTS payments_tx_hash ON {{prefix}}payments (tx_hash)',
      'CREATE INDEX IF NOT EXISTS payments_payer ON {{prefix}}payments (payer, created_at)',
      `CREATE UNIQUE INDEX IF NOT EXISTS payments_settled_tx ON {{prefix}}payments (network, tx_hash)
        WHERE state = 'settled'`,
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

/** The columns every query reads, in one place. */
export const PAYMENT_COLUMNS =
  'network, asset, payer, nonce, state, payload_hash, tx_hash, outcome, owner, created_at, updated_at, attempt, expires_at, principal';
