/**
 * Where the facilitator's stores live: the ledger's database. Every store (ledger, idempotency,
 * gas sponsorships, key leases, discovery) opens its own tables there, from the same options.
 */
import type pg from 'pg';

/**
 * A store in the ledger's SQLite file.
 *
 * @example
 * const options: SqliteStoreOptions = { path: config.ledger.sqlite.path };
 */
export type SqliteStoreOptions = {
  /** File path (the ledger's `ledger.sqlite.path`), or `:memory:` for a store that lives as long as the process (tests). */
  path: string;
  /** How long a write waits for another process's write lock; default 5000 ms. */
  busyTimeoutMs?: number;
  /** Clock (epoch ms), for tests; default `Date.now`. */
  now?: () => number;
};

/**
 * A store in the ledger's PostgreSQL database. Each store has its own default pool size.
 *
 * @example
 * const options: PostgresStoreOptions = { url: config.ledger.postgres.url, schema: config.ledger.postgres.schema };
 */
export type PostgresStoreOptions = {
  /** A connection string (the ledger's `ledger.postgres.url`, `postgres://user@host:5432/db`), or `pool` instead. */
  url?: string;
  /** An existing pool; it is not ended by `close()`. */
  pool?: pg.Pool;
  /**
   * Schema holding the store's tables (the ledger's `ledger.postgres.schema`); created if missing.
   * Default: none, so the tables go to the connection's `search_path` (normally `public`).
   */
  schema?: string;
  /** Pool size when `url` is given; the default is the store's. */
  maxConnections?: number;
  /** Clock (epoch ms), for tests; default `Date.now`. */
  now?: () => number;
};
