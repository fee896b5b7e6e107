/**
 * The gas-sponsorship store in SQLite through libsql (the ledger's file): a reservation sums the
 * payer's and the key's spends of the last 24 hours and inserts in one immediate transaction, so
 * concurrent reservations (in this process or another on the same file) never pass a budget.
 */
import { randomUUID } from 'node:crypto';
import { judgeSponsorSpend, SPONSOR_WINDOW_MS, sponsorLimits } from '@x402kit/core';
import { openSqlite } from '../db/sqlite.js';
import type { SqliteStoreOptions } from '../store-options.js';
import {
  type GasSponsorLimitsOption,
  type GasSponsorStore,
  normalizedPayment,
  reservedSponsorshipValues,
  sponsorshipRow,
} from './gas-sponsor-store.js';
import { toSponsorshipRecord } from './gas-sponsorship-row.js';
import { GAS_SPONSORSHIP_COLUMNS, GAS_SPONSORSHIP_SCHEMA } from './schema.js';

/** Options of `createSqliteGasSponsorStore`: the ledger's file, and the sponsoring limits. */
export type SqliteGasSponsorStoreOptions = SqliteStoreOptions & GasSponsorLimitsOption;

/**
 * Open (creating if needed) the store and apply its pending migrations.
 *
 * @example
 * const store = await createSqliteGasSponsorStore({ path: config.ledger.sqlite.path, limits: { maxTopUpWei: 10n ** 15n } })
 */
export async function createSqliteGasSponsorStore(
  options: SqliteGasSponsorStoreOptions,
): Promise<GasSponsorStore> {
  const now = options.now ?? Date.now;
  const limits = sponsorLimits(options.limits);
  const db = openSqlite({ ...options, now }, GAS_SPONSORSHIP_SCHEMA);
  const spentBy = (column: 'payer' | 'key_address') =>
    db.prepare(
      `SELECT wei FROM gas_sponsorships
       WHERE network = :network AND ${column} = :who AND created_at >= :since AND state <> 'released'`,
    );
  const byPayer = spentBy('payer');
  const byKey = spentBy('key_address');
  const insert = db.prepare(
    `INSERT INTO gas_sponsorships (${GAS_SPONSORSHIP_COLUMNS})
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)`,
  );
  const commit = db.prepare(
    `UPDATE gas_sponsorships SET state = 'sent', tx_hash = :tx, wei = COALESCE(:wei, wei), updated_at = :now
     WHERE id = :id AND state = 'reserved'`,
  );
  const release = db.prepare(
    `UPDATE gas_sponsorships SET state = 'released', updated_at = :now WHERE id = :id AND state = 'reserved'`,
  );
  const forPayment = db.prepare(
    `SELECT ${GAS_SPONSORSHIP_COLUMNS} FROM gas_sponsorships
     WHERE payment_network = :network AND payment_asset = :asset AND payment_payer = :payer AND payment_nonce = :nonce
     ORDER BY created_at, id`,
  );
  const sum = (rows: unknown[]) =>
    rows.reduce<bigint>((total, row) => total + BigInt(String(Reflect.get(Object(row), 'wei'))), 0n);

  return {
    async reserve(spend) {
      const row = sponsorshipRow(spend);
      const reserve = db.transaction(() => {
        const since = now() - SPONSOR_WINDOW_MS;
        const refused = judgeSponsorSpend(limits, {
          wei: spend.wei,
          payerSpent: sum(byPayer.all({ network: row.network, who: row.payer, since })),
          keySpent: sum(byKey.all({ network: row.network, who: row.key, since })),
        });
        if (refused) return refused;
        const id = randomUUID();
        insert.run(reservedSponsorshipValues(id, spend, now()));
        return { ok: true as const, id };
      });
      return reserve.immediate();
    },
    async commit(id, sent) {
      commit.run({
        id,
        tx: sent.transaction,
        wei: sent.wei === undefined ? null : sent.wei.toString(),
        now: now(),
      });
    },
    async release(id) {
      release.run({ id, now: now() });
    },
    async forPayment(payment) {
      return forPayment.all(normalizedPayment(payment)).map((r) => toSponsorshipRecord(Object(r)));
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
