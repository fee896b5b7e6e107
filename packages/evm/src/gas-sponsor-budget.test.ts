import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reasons } from '@x402kit/core';
import {
  createMemoryGasSponsorBudget,
  GAS_SPONSOR_WINDOW_MS,
  type GasSponsorSpend,
} from './gas-sponsor-budget.js';

const spend = (payer: string, key: string, wei: bigint): GasSponsorSpend => ({
  kind: 'erc20_approval_top_up',
  network: 'eip155:84532',
  key: key as `0x${string}`,
  payer: payer as `0x${string}`,
  payment: { network: 'eip155:84532', asset: '0x20', payer, nonce: 'permit2:1' },
  wei,
});
const A = `0x${'a'.repeat(40)}`;
const B = `0x${'b'.repeat(40)}`;
const K = `0x${'1'.repeat(40)}`;
const reasonOf = (r: { ok: boolean; reason?: string }) => (r.ok ? 'ok' : r.reason);

describe('createMemoryGasSponsorBudget', () => {
  it('refuses above the cap per payment, then per payer, then per key; a release gives the wei back', async () => {
    const budget = createMemoryGasSponsorBudget({
      maxTopUpWei: 100n,
      perPayerPerDayWei: 150n,
      perKeyPerDayWei: 200n,
    });
    assert.equal(reasonOf(await budget.reserve(spend(A, K, 101n))), Reasons.gasSponsoringCapExceeded);
    const first = await budget.reserve(spend(A, K, 100n));
    assert.equal(reasonOf(first), 'ok');
    assert.equal(reasonOf(await budget.reserve(spend(A, K, 51n))), Reasons.gasSponsoringPayerBudgetExceeded);
    assert.equal(reasonOf(await budget.reserve(spend(B, K, 100n))), 'ok');
    assert.equal(reasonOf(await budget.reserve(spend(B, K, 1n))), Reasons.gasSponsoringKeyBudgetExceeded);
    if (first.ok) await budget.release(first.id);
    assert.equal(reasonOf(await budget.reserve(spend(B, K, 50n))), 'ok');
  });

  it('forgets spends older than 24 hours', async () => {
    let now = 1_000_000;
    const budget = createMemoryGasSponsorBudget(
      { maxTopUpWei: 100n, perPayerPerDayWei: 100n, perKeyPerDayWei: 100n },
      () => now,
    );
    assert.equal(reasonOf(await budget.reserve(spend(A, K, 100n))), 'ok');
    assert.equal(reasonOf(await budget.reserve(spend(A, K, 1n))), Reasons.gasSponsoringPayerBudgetExceeded);
    now += GAS_SPONSOR_WINDOW_MS + 1;
    assert.equal(reasonOf(await budget.reserve(spend(A, K, 100n))), 'ok');
  });

  it('refuses limits that are not non-negative bigints', () => {
    assert.throws(() => createMemoryGasSponsorBudget({ maxTopUpWei: -1n }), /maxTopUpWei/);
  });
});
