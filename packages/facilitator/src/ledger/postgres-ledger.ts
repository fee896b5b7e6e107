/**
 * The shared ledger: PostgreSQL through a `pg` connection pool, for facilitators running on
 * several hosts. The primary key on the payment's identity makes a claim one atomic
 * `INSERT … ON CONFLICT DO NOTHING`; no row locks are held across a settlement.
 */
import type { SettleResponse } from '@x402kit/core';
import type pg from 'pg';
import { qualify } from '../db/migrations.js';
import { openPostgres } from '../db/postgres.js';
import { canonicalKeyPart, normalizePaymentKey, type PaymentKey } from './payment-key.js';
import {
  bindPaymentFilter,
  type ClaimResult,
  type CompletedState,
  type PaymentLedger,
  type PaymentRecord,
} from './payment-ledger.js';
import { toPaymentRecord, toUnresolvedPayment } from './payment-row.js';
import { MIGRATIONS, MIGRATIONS_TABLE, PAYMENT_COLUMNS } from './schema.js';

export type PostgresLedgerOptions = {
  /** A connection string (`postgres://user@host:5432/db`), or `pool` instead. */
  url?: string;
  /** An existing pool; it is not ended by `close()`. */
  pool?: pg.Pool;
  /**
   * Schema holding the ledger's tables; created if missing. Default: none, so the tables go to
   * the connection's `search_path` (normally `public`). Tests use a fresh schema each.
   */
  schema?: string;
  /** Pool size when `url` is given; default 10. */
  maxConnections?: number;
  /** Clock (epoch ms), for tests; default `Date.now`. */
  now?: () => number;
};

/** Thrown for options that cannot work (no connection, a schema name that is not an identifier). */
export class PostgresLedgerOptionsError extends Error {
  override name = 'PostgresLedgerOptionsError';
}

const KEY_WHERE = 'network = $1 AND asset = $2 AND payer = $3 AND nonce = $4';
const CLAIM_ATTEMPTS = 5;

/**
 * Connect to PostgreSQL and apply pending migrations (serialized across processes by an
 * advisory lock, so several facilitators may start at once).
 *
 * @example
 * const ledger = await createPostgresLedger({ url: 'postgres://postgres@127.0.0.1:5432/x402' })
 * const claim = await ledger.claim(key, payloadHash, 'instance-a')
 */
export async function createPostgresLedger(options: PostgresLedgerOptions): Promise<PaymentLedger> {
  const now = options.now ?? Date.now;
  const { pool, prefix, close } = await openPostgres(
    { ...options, now },
    {
      table: MIGRATIONS_TABLE,
      migrations: MIGRATIONS,
      defaultMaxConnections: 10,
      lockName: 'x402kit-ledger',
      toError: (message) => new PostgresLedgerOptionsError(message),
    },
  );

  const T = qualify('{{prefix}}payments', prefix);
  const selectSql = `SELECT ${PAYMENT_COLUMNS} FROM ${T} WHERE ${KEY_WHERE}`;
  const keyParams = (k: PaymentKey) => [k.network, k.asset, k.payer, k.nonce];

  const read = async (key: PaymentKey): Promise<PaymentRecord | undefined> => {
    const { rows } = await pool.query(selectSql, keyParams(normalizePaymentKey(key)));
    return rows[0] === undefined ? undefined : toPaymentRecord(rows[0]);
  };

  return {
    async claim(key, payloadHash, owner, payment): Promise<ClaimResult> {
      const k = normalizePaymentKey(key);
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        const inserted = await pool.query(
          `INSERT INTO ${T} (${PAYMENT_COLUMNS}, payment)
           VALUES ($1, $2, $3, $4, 'claimed', $5, NULL, NULL, $6, $7, $7, $8)
           ON CONFLICT DO NOTHING RETURNING ${PAYMENT_COLUMNS}`,
          [...keyParams(k), payloadHash, owner, now(), payment ?? null],
        );
        if (inserted.rows[0] !== undefined)
          return { claimed: true, record: toPaymentRecord(inserted.rows[0]) };
        const existing = await read(k);
        // released between our insert and our read: try to claim again
        if (existing) return { claimed: false, record: existing };
      }
      throw new Error(
        `claim of ${k.nonce}: the key was claimed and released ${CLAIM_ATTEMPTS} times meanwhile`,
      );
    },
    async recordBroadcast(key, owner, transaction) {
      const k = normalizePaymentKey(key);
      const result = await pool.query(
        `UPDATE ${T} SET state = 'broadcast', tx_hash = $6, updated_at = $7
         WHERE ${KEY_WHERE} AND owner = $5 AND state IN ('claimed', 'broadcast')`,
        [...keyParams(k), owner, canonicalKeyPart(transaction), now()],
      );
      return result.rowCount === 1;
    },
    async complete(key, state: CompletedState, outcome: SettleResponse) {
      const k = normalizePaymentKey(key);
      const { rows } = await pool.query(
        `UPDATE ${T} SET state = $5, outcome = $6, tx_hash = COALESCE(NULLIF($7, ''), tx_hash), updated_at = $8
         WHERE ${KEY_WHERE} AND state <> 'settled' RETURNING ${PAYMENT_COLUMNS}`,
        [...keyParams(k), state, JSON.stringify(outcome), canonicalKeyPart(outcome.transaction), now()],
      );
      return rows[0] === undefined ? read(k) : toPaymentRecord(rows[0]);
    },
    async release(key, owner) {
      const k = normalizePaymentKey(key);
      const result = await pool.query(
        `DELETE FROM ${T} WHERE ${KEY_WHERE} AND state = 'claimed' AND ($5::text IS NULL OR owner = $5)`,
        [...keyParams(k), owner ?? null],
      );
      return result.rowCount === 1;
    },
    get: read,
    async findByTransaction(transaction) {
      const { rows } = await pool.query(
        `SELECT ${PAYMENT_COLUMNS} FROM ${T} WHERE tx_hash = $1 ORDER BY (state = 'settled') DESC, updated_at DESC LIMIT 1`,
        [canonicalKeyPart(transaction)],
      );
      return rows[0] === undefined ? undefined : toPaymentRecord(rows[0]);
    },
    async list(filter) {
      const f = bindPaymentFilter(filter);
      const { rows } = await pool.query(
        `SELECT ${PAYMENT_COLUMNS} FROM ${T}
         WHERE ($1::text IS NULL OR network = $1) AND ($2::text IS NULL OR payer = $2)
           AND ($3::text IS NULL OR nonce = $3)
         ORDER BY created_at DESC, nonce LIMIT $4`,
        [f.network, f.payer, f.nonce, f.limit],
      );
      return rows.map(toPaymentRecord);
    },
    async leaseUnresolved(options) {
      const at = now();
      // rows another instance is reading are skipped, not waited for; the lease keeps them skipped
      const { rows } = await pool.query(
        `WITH picked AS (
           SELECT network, asset, payer, nonce FROM ${T}
           WHERE (state = 'pending' OR (state = 'broadcast' AND updated_at <= $1))
             AND (lease_until IS NULL OR lease_until <= $2)
           ORDER BY updated_at LIMIT $3
           FOR UPDATE SKIP LOCKED
         )
         UPDATE ${T} AS p SET lease_until = $4 FROM picked
         WHERE p.network = picked.network AND p.asset = picked.asset
           AND p.payer = picked.payer AND p.nonce = picked.nonce
         RETURNING ${PAYMENT_COLUMNS.split(', ')
           .map((c) => `p.${c}`)
           .join(', ')}, p.payment`,
        [at - options.quietMs, at, options.limit, at + options.leaseMs],
      );
      return rows.map(toUnresolvedPayment);
    },
    async countUnresolved() {
      const { rows } = await pool.query(
        `SELECT COUNT(*) AS n FROM ${T} WHERE state IN ('pending', 'broadcast')`,
      );
      return Number(rows[0]?.n ?? 0);
    },
    close,
  };
}
