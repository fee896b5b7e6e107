/**
 * The shared ledger: PostgreSQL through a `pg` connection pool, for facilitators running on
 * several hosts. The primary key on the payment's identity makes a claim one atomic
 * `INSERT … ON CONFLICT DO NOTHING`; no row locks are held across a settlement.
 */
import type { SettleResponse } from '@x402kit/core';
import { canonicalKeyPart, normalizePaymentKey, type PaymentKey, X402Error } from '@x402kit/core';
import type pg from 'pg';
import { qualify } from '../db/migrations.js';
import { openPostgres } from '../db/postgres.js';
import { FacilitatorReasons } from '../facilitator-reasons.js';
import type { PostgresStoreOptions } from '../store-options.js';
import {
  bindPaymentFilter,
  type ClaimOptions,
  type ClaimResult,
  type CompletedState,
  type LeaseOptions,
  type PaymentFilter,
  type PaymentLedger,
  type PaymentRecord,
  type ReserveOptions,
  type ReserveResult,
  type UnresolvedPayment,
} from './payment-ledger.js';
import { toPaymentRecord, toUnresolvedPayment } from './payment-row.js';
import { LEDGER_SCHEMA, PAYMENT_COLUMNS } from './schema.js';

/** Options of `createPostgresLedger`: its database (tests use a fresh schema each); a pool of 10 by default. */
export type PostgresLedgerOptions = PostgresStoreOptions;

/**
 * Thrown for options that cannot work (no connection, a schema name that is not an identifier);
 * reason `invalid_postgres_ledger_options`.
 *
 * @example
 * try { await createPostgresLedger({}) } catch (e) { if (e instanceof PostgresLedgerOptionsError) console.error(e.message) }
 */
export class PostgresLedgerOptionsError extends X402Error {
  override name = 'PostgresLedgerOptionsError';

  constructor(message: string) {
    super(FacilitatorReasons.postgresOptions, message);
  }
}

const KEY_WHERE = 'network = $1 AND asset = $2 AND payer = $3 AND nonce = $4';
const CLAIM_ATTEMPTS = 5;

/**
 * Connect to PostgreSQL and apply pending migrations (serialized across processes by an
 * advisory lock, so several facilitators may start at once).
 *
 * @example
 * const ledger = await createPostgresLedger({ url: 'postgres://postgres@127.0.0.1:5432/x402' })
 * const claim = await ledger.claim(key, { payloadHash, owner: 'instance-a' })
 */
export async function createPostgresLedger(options: PostgresLedgerOptions): Promise<PaymentLedger> {
  const now = options.now ?? Date.now;
  const { pool, prefix, close } = await openPostgres(
    { ...options, now },
    {
      ...LEDGER_SCHEMA,
      defaultMaxConnections: 10,
      lockName: 'x402kit-ledger',
      toError: (message) => new PostgresLedgerOptionsError(message),
    },
  );

  const T = qualify('{{prefix}}payments', prefix);
  const db: PgLedger = { pool, T, selectSql: `SELECT ${PAYMENT_COLUMNS} FROM ${T} WHERE ${KEY_WHERE}`, now };
  return {
    reserve: (key, o) => reserve(db, key, o),
    claim: (key, o) => claim(db, key, o),
    releaseReservation: (key, attempt) => releaseReservation(db, key, attempt),
    heartbeat: (owner) => heartbeat(db, owner),
    takeOver: (key, from, staleBefore, owner) => takeOver(db, key, from, staleBefore, owner),
    recordBroadcast: (key, owner, transaction) => recordBroadcast(db, key, owner, transaction),
    complete: (key, state, outcome) => complete(db, key, state, outcome),
    release: (key, owner) => release(db, key, owner),
    get: (key) => read(db, key),
    findByTransaction: (transaction) => findByTransaction(db, transaction),
    list: (filter) => list(db, filter),
    leaseUnresolved: (lease) => leaseUnresolved(db, lease),
    countUnresolved: () => countUnresolved(db),
    close,
  };
}

/** What the statements of one ledger need: its pool, its payments table `T` (schema-qualified) and clock. */
type PgLedger = { pool: pg.Pool; T: string; selectSql: string; now: () => number };

const keyParams = (k: PaymentKey) => [k.network, k.asset, k.payer, k.nonce];

async function read(db: PgLedger, key: PaymentKey): Promise<PaymentRecord | undefined> {
  const { rows } = await db.pool.query(db.selectSql, keyParams(normalizePaymentKey(key)));
  return rows[0] === undefined ? undefined : toPaymentRecord(rows[0]);
}

// a new row made at `at`, reserved (until `expiresAt`) or claimed; no row when the key has one
function insert(
  db: PgLedger,
  k: PaymentKey,
  o: ClaimOptions,
  at: number,
  state: 'reserved' | 'claimed',
  expiresAt: number | null,
) {
  const { pool, T } = db;
  return pool.query(
    `INSERT INTO ${T} (${PAYMENT_COLUMNS}, payment)
     VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, $8, $8, $9, $10, $11, $12)
     ON CONFLICT DO NOTHING RETURNING ${PAYMENT_COLUMNS}`,
    [
      ...keyParams(k),
      state,
      o.payloadHash,
      o.owner,
      at,
      o.attempt ?? null,
      expiresAt,
      o.principal ?? null,
      o.payment ?? null,
    ],
  );
}

async function reserve(db: PgLedger, key: PaymentKey, o: ReserveOptions): Promise<ReserveResult> {
  const { pool, T, now } = db;
  const k = normalizePaymentKey(key);
  const at = now();
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const { rows } = await insert(db, k, o, at, 'reserved', o.expiresAt);
    if (rows[0] !== undefined) return { reserved: true, record: toPaymentRecord(rows[0]) };
    // a named attempt renews its own reservation; anyone may take a lapsed one of the same payload
    const renewed = await pool.query(
      `UPDATE ${T} SET owner = $6, attempt = $7, expires_at = $8, updated_at = $9,
         payment = COALESCE($10, payment)
       WHERE ${KEY_WHERE} AND state = 'reserved' AND payload_hash = $5
         AND (($7::text IS NOT NULL AND attempt = $7) OR expires_at <= $9)
       RETURNING ${PAYMENT_COLUMNS}`,
      [...keyParams(k), o.payloadHash, o.owner, o.attempt ?? null, o.expiresAt, at, o.payment ?? null],
    );
    if (renewed.rows[0] !== undefined) return { reserved: true, record: toPaymentRecord(renewed.rows[0]) };
    const existing = await read(db, k);
    // released between our statements: try again
    if (existing) return { reserved: false, record: existing };
  }
  throw new X402Error(
    FacilitatorReasons.storeContention,
    `reservation of ${k.nonce}: the key was reserved and released ${CLAIM_ATTEMPTS} times meanwhile`,
  );
}

async function claim(db: PgLedger, key: PaymentKey, o: ClaimOptions): Promise<ClaimResult> {
  const { pool, T, now } = db;
  const k = normalizePaymentKey(key);
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const at = now();
    const inserted = await insert(db, k, o, at, 'claimed', null);
    if (inserted.rows[0] !== undefined) return { claimed: true, record: toPaymentRecord(inserted.rows[0]) };
    // a reservation becomes a claim only for the attempt that made it (anonymous for anonymous), or once lapsed
    const taken = await pool.query(
      `UPDATE ${T} SET state = 'claimed', owner = $6, attempt = $7, expires_at = NULL, updated_at = $8,
         payment = COALESCE($9, payment), principal = $10
       WHERE ${KEY_WHERE} AND state = 'reserved' AND payload_hash = $5
         AND ((attempt IS NOT DISTINCT FROM $7::text
               AND (attempt IS NOT NULL OR principal IS NOT DISTINCT FROM $10::text))
              OR expires_at <= $8)
       RETURNING ${PAYMENT_COLUMNS}`,
      [
        ...keyParams(k),
        o.payloadHash,
        o.owner,
        o.attempt ?? null,
        at,
        o.payment ?? null,
        o.principal ?? null,
      ],
    );
    if (taken.rows[0] !== undefined) return { claimed: true, record: toPaymentRecord(taken.rows[0]) };
    const existing = await read(db, k);
    // released between our insert and our read: try to claim again
    if (existing) return { claimed: false, record: existing };
  }
  throw new X402Error(
    FacilitatorReasons.storeContention,
    `claim of ${k.nonce}: the key was claimed and released ${CLAIM_ATTEMPTS} times meanwhile`,
  );
}

async function releaseReservation(db: PgLedger, key: PaymentKey, attempt: string): Promise<boolean> {
  const { pool, T } = db;
  const result = await pool.query(
    `DELETE FROM ${T} WHERE ${KEY_WHERE} AND state = 'reserved' AND attempt = $5`,
    [...keyParams(normalizePaymentKey(key)), attempt],
  );
  return result.rowCount === 1;
}

async function heartbeat(db: PgLedger, owner: string): Promise<number> {
  const { pool, T, now } = db;
  const result = await pool.query(
    `UPDATE ${T} SET updated_at = $2 WHERE owner = $1 AND state IN ('claimed', 'broadcast')`,
    [owner, now()],
  );
  return result.rowCount ?? 0;
}

async function takeOver(
  db: PgLedger,
  key: PaymentKey,
  from: string,
  staleBefore: number,
  owner: string,
): Promise<boolean> {
  const { pool, T, now } = db;
  const result = await pool.query(
    `UPDATE ${T} SET owner = $7, updated_at = $8
     WHERE ${KEY_WHERE} AND state IN ('claimed', 'broadcast') AND owner = $5 AND updated_at <= $6`,
    [...keyParams(normalizePaymentKey(key)), from, staleBefore, owner, now()],
  );
  return result.rowCount === 1;
}

async function recordBroadcast(
  db: PgLedger,
  key: PaymentKey,
  owner: string,
  transaction: string,
): Promise<boolean> {
  const { pool, T, now } = db;
  const k = normalizePaymentKey(key);
  const result = await pool.query(
    `UPDATE ${T} SET state = 'broadcast', tx_hash = $6, updated_at = $7
     WHERE ${KEY_WHERE} AND owner = $5 AND state IN ('claimed', 'broadcast')`,
    [...keyParams(k), owner, canonicalKeyPart(transaction), now()],
  );
  return result.rowCount === 1;
}

async function complete(
  db: PgLedger,
  key: PaymentKey,
  state: CompletedState,
  outcome: SettleResponse,
): Promise<PaymentRecord | undefined> {
  const { pool, T, now } = db;
  const k = normalizePaymentKey(key);
  const { rows } = await pool.query(
    `UPDATE ${T} SET state = $5, outcome = $6, tx_hash = COALESCE(NULLIF($7, ''), tx_hash), updated_at = $8
     WHERE ${KEY_WHERE} AND state <> 'settled' RETURNING ${PAYMENT_COLUMNS}`,
    [...keyParams(k), state, JSON.stringify(outcome), canonicalKeyPart(outcome.transaction), now()],
  );
  return rows[0] === undefined ? read(db, k) : toPaymentRecord(rows[0]);
}

async function release(db: PgLedger, key: PaymentKey, owner?: string): Promise<boolean> {
  const { pool, T } = db;
  const k = normalizePaymentKey(key);
  const result = await pool.query(
    `DELETE FROM ${T} WHERE ${KEY_WHERE} AND state = 'claimed' AND ($5::text IS NULL OR owner = $5)`,
    [...keyParams(k), owner ?? null],
  );
  return result.rowCount === 1;
}

async function findByTransaction(db: PgLedger, transaction: string): Promise<PaymentRecord | undefined> {
  const { pool, T } = db;
  const { rows } = await pool.query(
    `SELECT ${PAYMENT_COLUMNS} FROM ${T} WHERE tx_hash = $1 ORDER BY (state = 'settled') DESC, updated_at DESC LIMIT 1`,
    [canonicalKeyPart(transaction)],
  );
  return rows[0] === undefined ? undefined : toPaymentRecord(rows[0]);
}

async function list(db: PgLedger, filter?: PaymentFilter): Promise<PaymentRecord[]> {
  const { pool, T } = db;
  const f = bindPaymentFilter(filter);
  const { rows } = await pool.query(
    `SELECT ${PAYMENT_COLUMNS} FROM ${T}
     WHERE ($1::text IS NULL OR network = $1) AND ($2::text IS NULL OR payer = $2)
       AND ($3::text IS NULL OR nonce = $3)
     ORDER BY created_at DESC, nonce LIMIT $4`,
    [f.network, f.payer, f.nonce, f.limit],
  );
  return rows.map(toPaymentRecord);
}

async function leaseUnresolved(db: PgLedger, options: LeaseOptions): Promise<UnresolvedPayment[]> {
  const { pool, T, now } = db;
  const at = now();
  // rows another instance is reading are skipped, not waited for; the lease keeps them skipped
  const { rows } = await pool.query(
    `WITH picked AS (
       SELECT network, asset, payer, nonce FROM ${T}
       WHERE (state = 'pending' OR (state = 'broadcast' AND updated_at <= $1)
           OR (state = 'claimed' AND updated_at <= $5))
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
    [
      at - options.quietMs,
      at,
      options.limit,
      at + options.leaseMs,
      options.abandonedMs === undefined ? -1 : at - options.abandonedMs,
    ],
  );
  return rows.map(toUnresolvedPayment);
}

async function countUnresolved(db: PgLedger): Promise<number> {
  const { pool, T } = db;
  const { rows } = await pool.query(`SELECT COUNT(*) AS n FROM ${T} WHERE state IN ('pending', 'broadcast')`);
  return Number(rows[0]?.n ?? 0);
}
