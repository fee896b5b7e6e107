/**
 * Settlement-key leases in SQLite through libsql: the ledger's file (several processes on one
 * host may share it), table `settlement_key_leases` with its own migrations. `acquire` reads and
 * writes in one immediate transaction, so two processes starting at once cannot both take a key.
 */
import { openSqlite } from '../db/sqlite.js';
import type { SqliteStoreOptions } from '../store-options.js';
import { decideAcquire, type KeyLeaseStore, toKeyLeaseRow } from './key-lease-store.js';
import { KEY_LEASE_COLUMNS, KEY_LEASE_SCHEMA } from './schema.js';

/**
 * Options of `createSqliteKeyLeaseStore`: the ledger's file. Its clock is `Date.now` by default: the
 * processes sharing a file share a host and its clock.
 */
export type SqliteKeyLeaseStoreOptions = SqliteStoreOptions;

/**
 * Open (creating if needed) the SQLite lease store and apply its pending migrations.
 *
 * @example
 * const store = await createSqliteKeyLeaseStore({ path: config.ledger.sqlite.path })
 * await store.acquire({ family: 'evm', address, holder: 'facilitator-a', token, staleAfterMs: 10_000 })
 */
export async function createSqliteKeyLeaseStore(options: SqliteKeyLeaseStoreOptions): Promise<KeyLeaseStore> {
  const now = options.now ?? Date.now;
  const db = openSqlite({ ...options, now }, KEY_LEASE_SCHEMA);
  const select = db.prepare(
    `SELECT ${KEY_LEASE_COLUMNS} FROM settlement_key_leases WHERE family = :family AND address = :address`,
  );
  const upsert = db.prepare(
    `INSERT INTO settlement_key_leases (${KEY_LEASE_COLUMNS})
     VALUES (:family, :address, :holder, :token, :staleAfterMs, :now, :now)
     ON CONFLICT (family, address) DO UPDATE SET holder = excluded.holder, token = excluded.token,
       stale_after_ms = excluded.stale_after_ms, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
  );
  const renew = db.prepare(
    `UPDATE settlement_key_leases SET heartbeat_at = :now
     WHERE family = :family AND address = :address AND token = :token`,
  );
  const release = db.prepare(
    'DELETE FROM settlement_key_leases WHERE family = :family AND address = :address AND token = :token',
  );
  const get = (key: { family: string; address: string }) => {
    const row = select.get({ family: key.family, address: key.address });
    return row === undefined || row === null ? undefined : toKeyLeaseRow({ ...row });
  };

  return {
    async acquire(request) {
      const acquire = db.transaction(() => {
        const at = now();
        const decision = decideAcquire(get(request), request, at);
        if (decision.take) upsert.run({ ...request, now: at });
        return decision.result;
      });
      return acquire.immediate();
    },
    async renew(lease) {
      const { family, address, token } = lease;
      return renew.run({ family, address, token, now: now() }).changes === 1;
    },
    async release(lease) {
      const { family, address, token } = lease;
      release.run({ family, address, token });
    },
    async get(key) {
      return get(key);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
