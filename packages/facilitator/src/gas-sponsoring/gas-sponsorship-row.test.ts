/**
 * `toSponsorshipRecord`, which both stores read their rows with: a row as written becomes a record,
 * and a row that is not one (a column that is not text, a state it never writes) is refused with
 * `invalid_gas_sponsorship_row`, naming the column.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import { FacilitatorReasons } from '../facilitator-reasons.js';
import { toSponsorshipRecord } from './gas-sponsorship-row.js';

const row = {
  id: 'g-1',
  kind: 'gas_top_up',
  network: 'eip155:84532',
  key_address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  payer: '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc',
  payment_network: 'eip155:84532',
  payment_asset: '0x036cbd53842c5426634e7929541ec2318f3dcf7e',
  payment_payer: '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc',
  payment_nonce: 'permit2:5',
  wei: '21000000000000',
  state: 'sent',
  tx_hash: '0xabc',
  created_at: 1_700_000_000_000,
  updated_at: '1700000000500',
};

describe('toSponsorshipRecord', () => {
  it('reads a row as either driver returns it', () => {
    assert.deepEqual(toSponsorshipRecord(row), {
      id: 'g-1',
      kind: 'gas_top_up',
      network: 'eip155:84532',
      key: row.key_address,
      payer: row.payer,
      payment: {
        network: 'eip155:84532',
        asset: row.payment_asset,
        payer: row.payment_payer,
        nonce: 'permit2:5',
      },
      wei: 21_000_000_000_000n,
      state: 'sent',
      transaction: '0xabc',
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_500,
    });
  });

  it('refuses a row that is not a sponsorship with invalid_gas_sponsorship_row', () => {
    const malformed: Array<[Record<string, unknown>, string]> = [
      [{ ...row, payer: null }, 'gas_sponsorships.payer is not text'],
      [{ ...row, wei: 21n }, 'gas_sponsorships.wei is not text'],
      [{ ...row, state: 'mined' }, 'gas_sponsorships.state "mined" is unknown'],
    ];
    for (const [bad, message] of malformed) {
      assert.throws(
        () => toSponsorshipRecord(bad),
        (error: unknown) =>
          error instanceof X402Error &&
          error.reason === FacilitatorReasons.gasSponsorshipRow &&
          error.message === message,
        message,
      );
    }
  });
});
