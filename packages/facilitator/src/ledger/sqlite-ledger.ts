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
  type ReserveOptions,
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
  // prepared in this order once the file is open
  const statements = { ...prepareKeyStatements(db), ...prepareSearchStatements(db) };
  const ledger: SqliteLedger = {
    db,
    path: options.path,
    now,
    statements,
    leaseBatch: createLeaseBatch(db, statements),
    closed: false,
  };
  return {
    reserve: async (key, o) => reserve(ledger, key, o),
    claim: async (key, o) => claim(ledger, key, o),
    releaseReservation: async (key, attempt) => releaseReservation(ledger, key, attempt),
    heartbeat: async (owner) => heartbeat(ledger, owner),
    takeOver: async (key, from, staleBefore, owner) => takeOver(ledger, key, from, staleBefore, owner),
    recordBroadcast: async (key, owner, transaction) => recordBroadcast(ledger, key, owner, transaction),
    complete: async (key, state, outcome) => complete(ledger, key, state, outcome),
    release: async (key, owner) => release(ledger, key, owner),
    get: async (key) => read(ledger, key),
    findByTransaction: async (transaction) => findByTransaction(ledger, transaction),
    list: async (filter: PaymentFilter = {}) => list(ledger, filter),
    leaseUnresolved: async (lease) => {
      open(ledger);
      return ledger.leaseBatch.immediate(lease, now());
    },
    countUnresolved: async () => countUnresolved(ledger),
    async close() {
      ledger.closed = true;
      if (db.open) db.close();
    },
  };
}

type Db = ReturnType<typeof openSqlite>;
type Statements = ReturnType<typeof prepareKeyStatements> & ReturnType<typeof prepareSearchStatements>;

/** One open ledger: its file, clock and prepared statements; `closed` once `close()` ran. */
type SqliteLedger = {
  db: Db;
  path: string;
  now: () => number;
  statements: Statements;
  leaseBatch: ReturnType<typeof createLeaseBatch>;
  closed: boolean;
};

/** The statements on one payment (its key), and the heartbeat of an owner's claims. */
function prepareKeyStatements(db: Db) {
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
  return {
    insert,
    claimReserved,
    renewReserved,
    releaseReserved,
    heartbeat,
    takeOver,
    select,
    broadcast,
    complete,
    release,
  };
}

/** The statements that look payments up: by transaction, by filter, the unresolved ones (and their lease). */
function prepareSearchStatements(db: Db) {
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
  return { byTx, listAll, unresolved, lease, countUnresolved };
}

/** Select and lease in one write transaction: another process sharing the file waits for it. */
function createLeaseBatch(db: Db, { unresolved, lease }: Statements) {
  return db.transaction((options: LeaseOptions, at: number) => {
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
}

function open(ledger: SqliteLedger): void {
  if (ledger.closed)
    throw new X402Error(ServiceReasons.ledgerUnavailable, `the ledger ${ledger.path} is closed`);
}

function read(ledger: SqliteLedger, key: PaymentKey): PaymentRecord | undefined {
  open(ledger);
  const row = ledger.statements.select.get(normalizePaymentKey(key));
  return row === undefined ? undefined : toPaymentRecord(row);
}

// what a reservation and a claim bind (libsql ignores the names a statement does not use)
function attemptParams(ledger: SqliteLedger, k: PaymentKey, o: ClaimOptions) {
  return {
    ...k,
    payloadHash: o.payloadHash,
    owner: o.owner,
    attempt: o.attempt ?? null,
    principal: o.principal ?? null,
    payment: o.payment ?? null,
    now: ledger.now(),
  };
}

function reserve(ledger: SqliteLedger, key: PaymentKey, o: ReserveOptions): ReserveResult {
  open(ledger);
  const { insert, renewReserved } = ledger.statements;
  const k = normalizePaymentKey(key);
  const params = { ...attemptParams(ledger, k, o), expiresAt: o.expiresAt };
  // one connection, synchronous statements: the writes and the read are not interleaved
  const reserved =
    insert.run({ ...params, state: 'reserved' }).changes === 1 || renewReserved.run(params).changes === 1;
  const record = read(ledger, k);
  if (!record) throw new X402Error(Reasons.internalError, `reservation of ${k.nonce}: the record vanished`);
  return { reserved, record };
}

function claim(ledger: SqliteLedger, key: PaymentKey, o: ClaimOptions): ClaimResult {
  open(ledger);
  const { insert, claimReserved } = ledger.statements;
  const k = normalizePaymentKey(key);
  const params = attemptParams(ledger, k, o);
  const claimed =
    insert.run({ ...params, state: 'claimed', expiresAt: null }).changes === 1 ||
    claimReserved.run(params).changes === 1;
  const record = read(ledger, k);
  if (!record) throw new X402Error(Reasons.internalError, `claim of ${k.nonce}: the record vanished`);
  return { claimed, record };
}

function releaseReservation(ledger: SqliteLedger, key: PaymentKey, attempt: string): boolean {
  open(ledger);
  return ledger.statements.releaseReserved.run({ ...normalizePaymentKey(key), attempt }).changes === 1;
}

function heartbeat(ledger: SqliteLedger, owner: string): number {
  open(ledger);
  return Number(ledger.statements.heartbeat.run({ owner, now: ledger.now() }).changes);
}

function takeOver(
  ledger: SqliteLedger,
  key: PaymentKey,
  from: string,
  staleBefore: number,
  owner: string,
): boolean {
  open(ledger);
  return (
    ledger.statements.takeOver.run({
      ...normalizePaymentKey(key),
      from,
      staleBefore,
      to: owner,
      now: ledger.now(),
    }).changes === 1
  );
}

function recordBroadcast(ledger: SqliteLedger, key: PaymentKey, owner: string, transaction: string): boolean {
  open(ledger);
  const { broadcast } = ledger.statements;
  return (
    broadcast.run({
      ...normalizePaymentKey(key),
      owner,
      tx: canonicalKeyPart(transaction),
      now: ledger.now(),
    }).changes === 1
  );
}

function complete(
  ledger: SqliteLedger,
  key: PaymentKey,
  state: CompletedState,
  outcome: SettleResponse,
): PaymentRecord | undefined {
  open(ledger);
  const k = normalizePaymentKey(key);
  ledger.statements.complete.run({
    ...k,
    state,
    outcome: JSON.stringify(outcome),
    tx: canonicalKeyPart(outcome.transaction),
    now: ledger.now(),
  });
  return read(ledger, k);
}

function release(ledger: SqliteLedger, key: PaymentKey, owner: string | undefined): boolean {
  open(ledger);
  return ledger.statements.release.run({ ...normalizePaymentKey(key), owner: owner ?? null }).changes === 1;
}

function findByTransaction(ledger: SqliteLedger, transaction: string): PaymentRecord | undefined {
  open(ledger);
  const row = ledger.statements.byTx.get({ tx: canonicalKeyPart(transaction) });
  return row === undefined ? undefined : toPaymentRecord(row);
}

function list(ledger: SqliteLedger, filter: PaymentFilter): PaymentRecord[] {
  open(ledger);
  return ledger.statements.listAll.all(bindPaymentFilter(filter)).map(toPaymentRecord);
}

function countUnresolved(ledger: SqliteLedger): number {
  open(ledger);
  const row = ledger.statements.countUnresolved.get();
  const n = typeof row === 'object' && row !== null ? Reflect.get(row, 'n') : 0;
  return Number(n);
}
