import { X402Error } from '@x402kit/core';
import type pg from 'pg';
import { openPostgres } from '../db/postgres.js';
import { FacilitatorReasons } from '../facilitator-reasons.js';
import type { PostgresStoreOptions } from '../store-options.js';
import {
  type AcquireResult,
  decideAcquire,
  type KeyLeaseRow,
  type KeyLeaseStore,
  type LeaseRequest,
  toKeyLeaseRow,
} from './key-lease-store.js';
import { KEY_LEASE_COLUMNS, KEY_LEASE_SCHEMA } from './schema.js';

/**
 * Options of `createPostgresKeyLeaseStore`: the ledger's database; a pool of 2 by default (a
 * start-up, then one heartbeat at a time). Times are the database's clock.
 */
export type PostgresKeyLeaseStoreOptions = Omit<PostgresStoreOptions, 'now'>;

const ACQUIRE_ATTEMPTS = 5;

/** The database's clock in epoch ms. */
const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * Connect and apply pending migrations (serialized across processes by an advisory lock).
 *
 * @example
 * const store = await createPostgresKeyLeaseStore({ url: config.ledger.postgres.url, schema: config.ledger.postgres.schema })
 * await store.acquire({ family: 'evm', address, holder: 'facilitator-a', token, staleAfterMs: 10_000 })
 */
export async function createPostgresKeyLeaseStore(
  options: PostgresKeyLeaseStoreOptions,
): Promise<KeyLeaseStore> {
  const { pool, prefix, close } = await openPostgres(
    { ...options, now: Date.now },
    { ...KEY_LEASE_SCHEMA, defaultMaxConnections: 2, lockName: 'x402kit-key-leases' },
  );
  const T = `${prefix}settlement_key_leases`;
  const get = async (key: { family: string; address: string }): Promise<KeyLeaseRow | undefined> => {
    const { rows } = await pool.query(
      `SELECT ${KEY_LEASE_COLUMNS} FROM ${T} WHERE family = $1 AND address = $2`,
      [key.family, key.address],
    );
    return rows[0] === undefined ? undefined : toKeyLeaseRow(rows[0]);
  };

  return {
    acquire: (request) => acquireLease(pool, T, request),
    async renew(lease) {
      const { rowCount } = await pool.query(
        `UPDATE ${T} SET heartbeat_at = ${DB_NOW} WHERE family = $1 AND address = $2 AND token = $3`,
        [lease.family, lease.address, lease.token],
      );
      return rowCount === 1;
    },
    async release(lease) {
      await pool.query(`DELETE FROM ${T} WHERE family = $1 AND address = $2 AND token = $3`, [
        lease.family,
        lease.address,
        lease.token,
      ]);
    },
    get,
    close,
  };
}

/**
 * Take the lease of `request`'s key in table `T`, retrying while it is released between our insert and
 * our read; throws `storeContention` after {@link ACQUIRE_ATTEMPTS} such rounds.
 */
async function acquireLease(pool: pg.Pool, T: string, request: LeaseRequest): Promise<AcquireResult> {
  for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
    const result = await acquireOnce(pool, T, request);
    if (result !== undefined) return result;
  }
  throw new X402Error(
    FacilitatorReasons.storeContention,
    `lease of ${request.family} ${request.address}: taken and released ${ACQUIRE_ATTEMPTS} times meanwhile`,
  );
}

/**
 * One acquiring transaction: the decision, or `undefined` when the row was released between our insert
 * and our read (then the caller tries again).
 */
async function acquireOnce(
  pool: pg.Pool,
  T: string,
  request: LeaseRequest,
): Promise<AcquireResult | undefined> {
  const values = [request.family, request.address, request.holder, request.token, request.staleAfterMs];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // insert if free; else read the row under a row lock (a concurrent release or take waits for us)
    const inserted = await client.query(
      `INSERT INTO ${T} (${KEY_LEASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, ${DB_NOW}, ${DB_NOW})
       ON CONFLICT (family, address) DO NOTHING RETURNING holder`,
      values,
    );
    if (inserted.rows.length === 1) {
      await client.query('COMMIT');
      return { acquired: true };
    }
    const { rows } = await client.query(
      `SELECT ${KEY_LEASE_COLUMNS}, ${DB_NOW} AS db_now FROM ${T}
       WHERE family = $1 AND address = $2 FOR UPDATE`,
      [request.family, request.address],
    );
    const [row] = rows;
    if (row === undefined) {
      // released between our insert and our read: try the insert again
      await client.query('COMMIT');
      return undefined;
    }
    const decision = decideAcquire(toKeyLeaseRow(row), request, Number(row.db_now));
    if (decision.take) {
      await client.query(
        `UPDATE ${T} SET holder = $3, token = $4, stale_after_ms = $5, acquired_at = ${DB_NOW},
           heartbeat_at = ${DB_NOW}
         WHERE family = $1 AND address = $2`,
        values,
      );
    }
    await client.query('COMMIT');
    return decision.result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
