/**
 * The gas-sponsorship table: one row per native-gas spend on a payer's behalf (a top-up for the
 * payer's approval, an ERC-6492 wallet deployment), with the payment it was for (keyed as the
 * ledger keys payments), the key that paid, how much and which transaction. Written once for
 * SQLite (libsql) and PostgreSQL, next to the ledger's tables with its own migrations table.
 * Amounts are decimal text (wei passes 64 bits); PostgreSQL sums them as `numeric`.
 */
import { createTableMigration, type Migration, type MigrationSet } from '../db/migrations.js';

/** The gas-sponsorship store's SQL migrations, applied in order by its SQLite and PostgreSQL stores. */
export const GAS_SPONSORSHIP_MIGRATIONS: readonly Migration[] = [
  createTableMigration(
    'gas_sponsorships',
    `id TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('erc20_approval_top_up', 'erc6492_deployment')),
     network TEXT NOT NULL, key_address TEXT NOT NULL, payer TEXT NOT NULL,
     payment_network TEXT NOT NULL, payment_asset TEXT NOT NULL, payment_payer TEXT NOT NULL, payment_nonce TEXT NOT NULL,
     wei TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('reserved', 'sent', 'released')), tx_hash TEXT,
     created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL`,
    [
      'CREATE INDEX IF NOT EXISTS gas_sponsorships_payer ON {{prefix}}gas_sponsorships (network, payer, created_at)',
      'CREATE INDEX IF NOT EXISTS gas_sponsorships_key ON {{prefix}}gas_sponsorships (network, key_address, created_at)',
      `CREATE INDEX IF NOT EXISTS gas_sponsorships_payment ON {{prefix}}gas_sponsorships
        (payment_network, payment_asset, payment_payer, payment_nonce)`,
    ],
  ),
];

/** The store's migrations and the table that records them. */
export const GAS_SPONSORSHIP_SCHEMA: MigrationSet = {
  table: 'gas_sponsorship_migrations',
  migrations: GAS_SPONSORSHIP_MIGRATIONS,
};

export const GAS_SPONSORSHIP_COLUMNS =
  'id, kind, network, key_address, payer, payment_network, payment_asset, payment_payer, payment_nonce, wei, state, tx_hash, created_at, updated_at';
