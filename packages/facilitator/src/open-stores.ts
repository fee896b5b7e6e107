/**
 * The ledger's database as a deployment uses it: the settlement ledger, and beside it the stores
 * that share its database (idempotency, key leases, the gas sponsor budget and, on PostgreSQL, the
 * rate limiter), each opened on SQLite or PostgreSQL alike.
 */
import type { ServiceConfig } from './service-config.js';

/** Where the ledger lives: a PostgreSQL URL (and schema) or a SQLite file. */
export type LedgerDatabase = { postgres: { url: string; schema?: string } } | { sqlite: { path: string } };

/** A store's two constructors, one per database. */
export type StoreOpeners<T> = {
  postgres(options: { url: string; schema?: string }): Promise<T>;
  sqlite(options: { path: string }): Promise<T>;
};

/**
 * The ledger's database named by the configuration.
 *
 * @example
 * const db = ledgerDatabase(config) // { sqlite: { path: 'x402kit-ledger.db' } }
 */
export function ledgerDatabase(config: ServiceConfig): LedgerDatabase {
  if (!('postgres' in config.ledger)) return { sqlite: { path: config.ledger.sqlite.path } };
  const { url, schema } = config.ledger.postgres;
  return { postgres: { url, ...(schema === undefined ? {} : { schema }) } };
}

/**
 * Open a store on the ledger's database, whichever it is.
 *
 * @example
 * const ledger = await openStore(db, { postgres: createPostgresLedger, sqlite: createSqliteLedger })
 */
export function openStore<T>(db: LedgerDatabase, open: StoreOpeners<T>): Promise<T> {
  return 'postgres' in db ? open.postgres(db.postgres) : open.sqlite(db.sqlite);
}
