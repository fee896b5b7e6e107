/**
 * The embedded ledger: one SQLite file through libsql (WAL journal, busy timeout), for a single
 * facilitator host. Several processes may share the file; claims stay atomic (SQLite has one
 * writer at a time). Use {@link createPostgresLedger} when facilitators run on several hosts.
 */

import type { SettleResponse } from '@x402kit/core';
import { canonicalKeyPart, normalizePaymentKey, type PaymentKey, Reasons, X402Error } from '@x402kit/core';
import { openSqlite } from '../db/sqlite.js';
import { ServiceReasons } from '../service-reasons.js';
import type { SqliteStoreOptions } from '../store-options.js';
import {
  bindPaymentFilter,
  type ClaimOptions,
  type ClaimResult,
  type CompletedState,
  type LeaseOptions,
  type PaymentFilter,
  type PaymentLedger,
  type PaymentRecord,
  type ReserveResult,
} from './payment-ledger.js';
import { toPaymentRecord, toUnresolvedPayment } from './payment-row.js';
import { LEDGER_SCHEMA, PAYMENT_COLUMNS } from './schema.js';

/** Options of `createSqliteLedger`: its file. */
export type SqliteLedgerOptions = SqliteStoreOptions;

const KEY_WHERE = 'network = :network AND asset = :asset AND payer = :payer AND nonce = :nonce';

/**
 * Open (creating if needed) a SQLite ledger and apply pending migrations. Synchronous work under
 * the hood; opening takes a few milliseconds.
 *
 * @example
 * const ledger = await createSqliteLedger({ path: './x402-ledger.db' })
 * const claim = await ledger.claim(key, { payloadHash, owner: 'instance-a' })
 * if (claim.claimed) { ... settle, then ledger.complete(key, 'settled', result) }
 */
export async function createSqliteLedger(options: SqliteLedgerOptions): Promise<PaymentLedger> {
  const now = options.now ?? Date.now;
  const db = openSqlite({ ...options, now }, { ...LEDGER_SCHEMA, pragmas: ['synchronous = NORMAL'] });

  const insert = db.prepare(
    `INSERT INTO payments (${PAYMENT_COLUMNS}, payment)
     VALUES (:network, :asset, :payer, :nonce, :state, :payloadHash, NULL, NULL, :owner, :now, :now,
       :attempt, :expiresAt, :principal, :payment)
     ON CONFLICT DO NOTHING`,
  );
  // a reservation becomes a claim only for the attempt that made it (anonymous for anonymous), or once lapsed
  const claimReserved = db.prepare(
    `UPDATE payments SET state = 'claimed', owner = :owner, attempt = :attempt, expires_at = NULL,
       principal = :principal, updated_at = :now, payment = COALESCE(:payment, payment)
     WHERE ${KEY_WHERE} AND state = 'reserved' AND payload_hash = :payloadHash
       AND ((attempt IS :attempt AND (attempt IS NOT NULL OR principal IS :principal)) OR expires_at <= :now)`,
  );
  // a named attempt renews its own reservation; anyone may take a lapsed one of the same payload
  const renewReserved = db.prepare(
    `UPDATE payments SET owner = :owner, attempt = :attempt, expires_at = :expiresAt, updated_at = :now,
       payment = COALESCE(:payment, payment)
     WHERE ${KEY_WHERE} AND state = 'reserved' AND payload_hash = :payloadHash
       AND ((:attempt IS NOT NULL AND attempt = :attempt) OR expires_at <= :now)`,
  );
  const releaseReserved = db.prepare(
    `DELETE FROM payments WHERE ${KEY_WHERE} AND state = 'reserved' AND attempt = :attempt`,
  );
  const heartbeat = db.prepare(
    `UPDATE payments SET updated_at = :now WHERE owner = :owner AND state IN ('claimed', 'broadcast')`,
  );
  const takeOver = db.prepare(
    `UPDATE payments SET owner = :to, updated_at = :now
     WHERE ${KEY_WHERE} AND state IN ('claimed', 'broadcast') AND owner = :from AND updated_at <= :staleBefore`,
  );
  const select = db.prepare(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE ${KEY_WHERE}`);
  const broadcast = db.prepare(
    `UPDATE payments SET state = 'broadcast', tx_hash = :tx, updated_at = :now
     WHERE ${KEY_WHERE} AND owner = :owner AND state IN ('claimed', 'broadcast')`,
  );
  const complete = db.prepare(
    `UPDATE payments SET state = :state, outcome = :outcome,
       tx_hash = COALESCE(NULLIF(:tx, ''), tx_hash), updated_at = :now
     WHERE ${KEY_WHERE} AND state <> 'settled'`,
  );
  const release = db.prepare(
    `DELETE FROM payments WHERE ${KEY_WHERE} AND state = 'claimed' AND (:owner IS NULL OR owner = :owner)`,
  );
  const byTx = db.prepare(
    `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE tx_hash = :tx ORDER BY (state = 'settled') DESC, updated_at DESC LIMIT 1`,
  );
  const listAll = db.prepare(
    `SELECT ${PAYMENT_COLUMNS} FROM payments
     WHERE (:network IS NULL OR network = :network) AND (:payer IS NULL OR payer = :payer)
       AND (:nonce IS NULL OR nonce = :nonce)
     ORDER BY created_at DESC, nonce LIMIT :limit`,
  );

  const unresolved = db.prepare(
    `SELECT ${PAYMENT_COLUMNS}, payment FROM payments
     WHERE (state = 'pending' OR (state = 'broadcast' AND updated_at <= :quietBefore)
         OR (state = 'claimed' AND updated_at <= :abandonedBefore))
       AND (lease_until IS NULL OR lease_until <= :now)
     ORDER BY updated_at LIMIT :limit`,
  );
  const lease = db.prepare(`UPDATE payments SET lease_until = :until WHERE ${KEY_WHERE}`);
  const countUnresolved = db.prepare(
    `SELECT COUNT(*) AS n FROM payments WHERE state IN ('pending', 'broadcast')`,
  );
  // select and lease in one write transaction: another process sharing the file waits for it
  const leaseBatch = db.transaction((options: LeaseOptions, at: number) => {
    const rows = unresolved.all({
      quietBefore: at - options.quietMs,
      abandonedBefore: options.abandonedMs === undefined ? -1 : at - options.abandonedMs,
      now: at,
      limit: options.limit,
    });
    const picked = rows.map(toUnresolvedPayment);
    for (const { record } of picked) lease.run({ ...record.key, until: at + options.leaseMs });
    return picked;
  });

  let closed = false;
  const open = () => {
    if (closed) throw new X402Error(ServiceReasons.ledgerUnavailable, `the ledger ${options.path} is closed`);
  };
  const read = (key: PaymentKey): PaymentRecord | undefined => {
    open();
    const row = select.get(normalizePaymentKey(key));
    return row === undefined ? undefined : toPaymentRecord(row);
  };
  // what a reservation and a claim bind (libsql ignores the names a statement does not use)
  const attemptParams = (k: PaymentKey, o: ClaimOptions) => ({
    ...k,
    payloadHash: o.payloadHash,
    owner: o.owner,
    attempt: o.attempt ?? null,
    principal: o.principal ?? null,
    payment: o.payment ?? null,
    now: now(),
  });

  return {
    async reserve(key, o): Promise<ReserveResult> {
      open();
      const k = normalizePaymentKey(key);
      const params = { ...attemptParams(k, o), expiresAt: o.expiresAt };
      // one connection, synchronous statements: the writes and the read are not interleaved
      const reserved =
        insert.run({ ...params, state: 'reserved' }).changes === 1 || renewReserved.run(params).changes === 1;
      const record = read(k);
      if (!record)
        throw new X402Error(Reasons.internalError, `reservation of ${k.nonce}: the record vanished`);
      return { reserved, record };
    },
    async claim(key, o): Promise<ClaimResult> {
      open();
      const k = normalizePaymentKey(key);
      const params = attemptParams(k, o);
      const claimed =
        insert.run({ ...params, state: 'claimed', expiresAt: null }).changes === 1 ||
        claimReserved.run(params).changes === 1;
      const record = read(k);
      if (!record) throw new X402Error(Reasons.internalError, `claim of ${k.nonce}: the record vanished`);
      return { claimed, record };
    },
    async releaseReservation(key, attempt) {
      open();
      return releaseReserved.run({ ...normalizePaymentKey(key), attempt }).changes === 1;
    },
    async heartbeat(owner) {
      open();
      return Number(heartbeat.run({ owner, now: now() }).changes);
    },
    async takeOver(key, from, staleBefore, owner) {
      open();
      return (
        takeOver.run({ ...normalizePaymentKey(key), from, staleBefore, to: owner, now: now() }).changes === 1
      );
    },
    async recordBroadcast(key, owner, transaction) {
      open();
      return (
        broadcast.run({ ...normalizePaymentKey(key), owner, tx: canonicalKeyPart(transaction), now: now() })
          .changes === 1
      );
    },
    async complete(key, state: CompletedState, outcome: SettleResponse) {
      open();
      const k = normalizePaymentKey(key);
      complete.run({
        ...k,
        state,
        outcome: JSON.stringify(outcome),
        tx: canonicalKeyPart(outcome.transaction),
        now: now(),
      });
      return read(k);
    },
    async release(key, owner) {
      open();
      return release.run({ ...normalizePaymentKey(key), owner: owner ?? null }).changes === 1;
    },
    async get(key) {
      return read(key);
    },
    async findByTransaction(transaction) {
      open();
      const row = byTx.get({ tx: canonicalKeyPart(transaction) });
      return row === undefined ? undefined : toPaymentRecord(row);
    },
    async list(filter: PaymentFilter = {}) {
      open();
      return listAll.all(bindPaymentFilter(filter)).map(toPaymentRecord);
    },
    async leaseUnresolved(options) {
      open();
      return leaseBatch.immediate(options, now());
    },
    async countUnresolved() {
      open();
      const row = countUnresolved.get();
      const n = typeof row === 'object' && row !== null ? Reflect.get(row, 'n') : 0;
      return Number(n);
    },
    async close() {
      closed = true;
      if (db.open) db.close();
    },
  };
}
