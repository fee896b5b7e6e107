/**
 * Rows of `gas_sponsorships` as both drivers return them (pg gives `BIGINT` as a string, libsql as a
 * number), checked and turned into {@link GasSponsorshipRecord}s.
 */
import { X402Error } from '@x402kit/core';
import { FacilitatorReasons } from '../facilitator-reasons.js';
import type { GasSponsorshipRecord } from './gas-sponsor-store.js';

/**
 * A row as read from either database; one that is not a sponsorship (a column that is not text, a
 * state the stores never write) throws an `X402Error` `invalid_gas_sponsorship_row` naming the column.
 *
 * @example const record = toSponsorshipRecord(row)
 */
export function toSponsorshipRecord(row: Record<string, unknown>): GasSponsorshipRecord {
  const text = (name: string) => {
    const value = row[name];
    if (typeof value !== 'string')
      throw new X402Error(FacilitatorReasons.gasSponsorshipRow, `gas_sponsorships.${name} is not text`);
    return value;
  };
  const kind = text('kind');
  const state = text('state');
  if (state !== 'reserved' && state !== 'sent' && state !== 'released')
    throw new X402Error(FacilitatorReasons.gasSponsorshipRow, `gas_sponsorships.state "${state}" is unknown`);
  const tx = row.tx_hash;
  return {
    id: text('id'),
    kind,
    network: text('network'),
    key: text('key_address'),
    payer: text('payer'),
    payment: {
      network: text('payment_network'),
      asset: text('payment_asset'),
      payer: text('payment_payer'),
      nonce: text('payment_nonce'),
    },
    wei: BigInt(text('wei')),
    state,
    ...(typeof tx === 'string' ? { transaction: tx } : {}),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
