/**
 * The gas-sponsorship store in PostgreSQL through `pg` (the ledger's database and schema): a
 * reservation takes one transaction-scoped advisory lock, sums the payer's and the key's spends of
 * the last 24 hours and inserts, so every instance on the database shares one budget and concurrent
 * reservations never pass it.
 */
import { randomUUID } from 'node:crypto';
import {
  judgeSponsorSpend,
  SPONSOR_WINDOW_MS,
  type SponsorLimits,
  type SponsorReservation,
  type SponsorSpend,
  sponsorLimits,
} from '@x402kit/core';
import type pg from 'pg';
import { openPostgres } from '../db/postgres.js';
import type { PostgresStoreOptions } from '../store-options.js';
import {
  type GasSponsorLimitsOption,
  type GasSponsorStore,
  normalizedPayment,
  reservedSponsorshipValues,
  sponsorshipRow,
} from './gas-sponsor-store.js';
import { toSponsorshipRecord } from './gas-sponsorship-row.js';
import { GAS_SPONSORSHIP_COLUMNS, GAS_SPONSORSHIP_SCHEMA } from './schema.js';

/** Options of `createPostgresGasSponsorStore`: the ledger's database (a pool of 3 by default), and the sponsoring limits. */
export type PostgresGasSponsorStoreOptions = PostgresStoreOptions & GasSponsorLimitsOption;

/**
 * Connect and apply pending migrations (serialized across processes by an advisory lock).
 *
 * @example
 * const store = await createPostgresGasSponsorStore({ url: config.ledger.postgres.url, schema: config.ledger.postgres.schema })
 */
export async function createPostgresGasSponsorStore(
  options: PostgresGasSponsorStoreOptions,
): Promise<GasSponsorStore> {
  const now = options.now ?? Date.now;
  const limits = sponsorLimits(options.limits);
  const { pool, prefix, close } = await openPostgres(
    { ...options, now },
    { ...GAS_SPONSORSHIP_SCHEMA, defaultMaxConnections: 3, lockName: 'x402kit-gas-sponsorships' },
  );
  const T = `${prefix}gas_sponsorships`;
  const lock = `x402kit-gas-sponsorships-budget:${options.schema ?? ''}`;
  const budget: SponsorBudgetTable = { pool, T, lock, limits, now };

  return {
    reserve: (spend) => reserveSponsorship(budget, spend),
    async commit(id, sent) {
      await pool.query(
        `UPDATE ${T} SET state = 'sent', tx_hash = $2, wei = COALESCE($3, wei), updated_at = $4
         WHERE id = $1 AND state = 'reserved'`,
        [id, sent.transaction, sent.wei === undefined ? null : sent.wei.toString(), now()],
      );
    },
    async release(id) {
      await pool.query(
        `UPDATE ${T} SET state = 'released', updated_at = $2 WHERE id = $1 AND state = 'reserved'`,
        [id, now()],
      );
    },
    async forPayment(payment) {
      const key = normalizedPayment(payment);
      const { rows } = await pool.query(
        `SELECT ${GAS_SPONSORSHIP_COLUMNS} FROM ${T}
         WHERE payment_network = $1 AND payment_asset = $2 AND payment_payer = $3 AND payment_nonce = $4
         ORDER BY created_at, id`,
        [key.network, key.asset, key.payer, key.nonce],
      );
      return rows.map((r: Record<string, unknown>) => toSponsorshipRecord(r));
    },
    close,
  };
}

/** What a reservation needs: the pool, the table, the budget's advisory lock, the limits and the clock. */
type SponsorBudgetTable = {
  pool: pg.Pool;
  T: string;
  lock: string;
  limits: SponsorLimits;
  now: () => number;
};

/**
 * Reserve `spend` in one transaction under the budget's advisory lock: judge it against the payer's
 * and the key's spends of the window, then insert it (or roll back and return the refusal).
 */
async function reserveSponsorship(
  budget: SponsorBudgetTable,
  spend: SponsorSpend,
): Promise<SponsorReservation> {
  const { pool, T, lock, limits, now } = budget;
  const row = sponsorshipRow(spend);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lock]);
    const since = now() - SPONSOR_WINDOW_MS;
    const refused = judgeSponsorSpend(limits, {
      wei: spend.wei,
      payerSpent: await spent(client, T, 'payer', row.network, row.payer, since),
      keySpent: await spent(client, T, 'key_address', row.network, row.key, since),
    });
    if (refused) {
      await client.query('ROLLBACK');
      return refused;
    }
    const id = randomUUID();
    await client.query(
      `INSERT INTO ${T} (${GAS_SPONSORSHIP_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      reservedSponsorshipValues(id, spend, now()),
    );
    await client.query('COMMIT');
    return { ok: true, id };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** What `who` (in `column`) has spent on `network` since `since`, released reservations left out. */
async function spent(
  client: pg.PoolClient,
  T: string,
  column: string,
  network: string,
  who: string,
  since: number,
): Promise<bigint> {
  const { rows } = await client.query(
    `SELECT COALESCE(SUM(wei::numeric), 0)::text AS total FROM ${T}
     WHERE network = $1 AND ${column} = $2 AND created_at >= $3 AND state <> 'released'`,
    [network, who, since],
  );
  return BigInt(String(rows[0]?.total ?? '0'));
}
