import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createX402Client } from '../client.js';
import { X402Error } from '../protocol/errors.js';
import type { PaymentRequired, PaymentRequirements } from '../protocol/schemas.js';
import type { SchemeClient } from '../scheme.js';
import { createBudget } from './budget.js';
import { parseBudgetLimit } from './budget-limit.js';
import { BudgetReasons } from './budget-reasons.js';
import { createMemoryBudgetStore } from './budget-store.js';

const USDC = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'; // Base Sepolia USDC, 6 decimals
const BSC_USDT = '0x55d398326f99059fF775485246999027B3197955'; // BSC USDT, 18 decimals
const cent = (over: Partial<PaymentRequirements> = {}): PaymentRequirements => ({
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: USDC,
  payTo: '0xB',
  maxTimeoutSeconds: 60,
  ...over,
});
const required = (accepts: PaymentRequirements[], url = 'http://api.example.com/x'): PaymentRequired => ({
  x402Version: 2,
  resource: { url },
  accepts,
});

function slowScheme(): SchemeClient & { signed: number } {
  const scheme = {
    scheme: 'exact',
    signed: 0,
    async createPaymentPayload(r: PaymentRequirements) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      scheme.signed++;
      return { payload: { signedAmount: r.amount } };
    },
  };
  return scheme;
}

const isBudgetExceeded = (e: unknown) =>
  e instanceof X402Error &&
  e.reason === BudgetReasons.budgetExceeded &&
  /budget 0\.07 USD\/day exceeded/.test(e.message);

describe('budgets', () => {
  it('parses the CLI forms', () => {
    assert.deepEqual(parseBudgetLimit('5/day'), { amount: '5', period: 'day' });
    assert.deepEqual(parseBudgetLimit('$0.5/session'), { amount: '0.5', period: 'session' });
    assert.deepEqual(parseBudgetLimit('1/host'), { amount: '1', period: 'total', per: 'key' });
    assert.deepEqual(parseBudgetLimit('2/day/tool'), { amount: '2', period: 'day', per: 'key' });
    assert.throws(() => parseBudgetLimit('5 per day'), /not understood/);
  });

  it('20 concurrent payments against a budget of 7: 7 signed, 13 refused naming the budget, nothing signed for them', async () => {
    const scheme = slowScheme();
    const budget = createBudget({ limits: [parseBudgetLimit('0.07/day')], store: createMemoryBudgetStore() });
    const client = createX402Client({ schemes: [{ network: 'eip155:*', client: scheme }], budget });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => client.createPaymentPayload(required([cent()]))),
    );
    const paid = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(paid.length, 7);
    assert.equal(scheme.signed, 7);
    assert.equal(refused.length, 13);
    for (const r of refused) assert.ok(isBudgetExceeded(r.reason), String(r.reason));
    const [report] = await budget.report();
    assert.equal(report?.reserved, '0.07');
    assert.equal(report?.left, '0');
  });

  it('commits a paid payment, gives back a refused one, keeps an unknown one as pending', async () => {
    const budget = createBudget({
      limits: [parseBudgetLimit('0.03/session')],
      store: createMemoryBudgetStore(),
    });
    const client = createX402Client({ schemes: [{ network: 'eip155:*', client: slowScheme() }], budget });
    const a = await client.createPaymentPayload(required([cent()]));
    const b = await client.createPaymentPayload(required([cent()]));
    const c = await client.createPaymentPayload(required([cent()]));
    await client.reportOutcome(a, 'paid');
    await client.reportOutcome(b, 'refused');
    await client.reportOutcome(c, 'unknown');
    await client.reportOutcome(a, 'refused'); // a second report of the same payload changes nothing
    const [report] = await budget.report();
    assert.deepEqual(
      { spent: report?.spent, pending: report?.pending, reserved: report?.reserved, left: report?.left },
      { spent: '0.01', pending: '0.01', reserved: '0', left: '0.01' },
    );
    await client.createPaymentPayload(required([cent()])); // the refused cent is free again
    await assert.rejects(
      client.createPaymentPayload(required([cent()])),
      (e: unknown) => e instanceof X402Error && e.reason === BudgetReasons.budgetExceeded,
    );
  });

  it('counts stablecoins of any decimals in dollars, per host when asked, and refuses what it cannot count', async () => {
    const budget = createBudget({
      limits: [parseBudgetLimit('1/host')],
      store: createMemoryBudgetStore(),
    });
    const client = createX402Client({ schemes: [{ network: 'eip155:*', client: slowScheme() }], budget });
    // 0.6 USDT (18 decimals) then 0.4 USDC (6 decimals) on one host: exactly $1
    await client.createPaymentPayload(
      required([cent({ network: 'eip155:56', asset: BSC_USDT, amount: '600000000000000000' })]),
    );
    await client.createPaymentPayload(required([cent({ amount: '400000' })]));
    await assert.rejects(
      client.createPaymentPayload(required([cent({ amount: '1' })])),
      /budget 1 USD\/total per key exceeded for api\.example\.com/,
    );
    // another host has its own dollar
    await client.createPaymentPayload(required([cent({ amount: '1000000' })], 'http://other.example.com/y'));
    // an explicit key (an MCP tool) instead of the host
    await client.createPaymentPayload(required([cent()]), { budgetKey: 'tool:weather' });
    await assert.rejects(
      client.createPaymentPayload(required([cent({ asset: '0x1111111111111111111111111111111111111111' })])),
      (e: unknown) => e instanceof X402Error && e.reason === BudgetReasons.budgetAssetNotCounted,
    );
  });

  it('releases the hold when signing fails, and check() holds nothing', async () => {
    const budget = createBudget({ limits: [parseBudgetLimit('0.01/day')], store: createMemoryBudgetStore() });
    const failing: SchemeClient = {
      scheme: 'exact',
      async createPaymentPayload() {
        throw new Error('the wallet said no');
      },
    };
    const client = createX402Client({ schemes: [{ network: 'eip155:*', client: failing }], budget });
    await assert.rejects(client.createPaymentPayload(required([cent()])), /the wallet said no/);
    const offer = client.selectOffer(required([cent()]));
    const check = await budget.check(offer);
    assert.equal(check.allowed, true);
    assert.equal(check.report[0]?.left, '0.01');
    const tooMuch = await budget.check({
      ...offer,
      requirements: { ...offer.requirements, amount: '10001' },
    });
    assert.equal(tooMuch.allowed, false);
    assert.equal(tooMuch.reason, BudgetReasons.budgetExceeded);
  });

  it('counts a day in UTC and starts afresh the next day', async () => {
    let now = Date.parse('2026-12-06T23:59:00Z');
    const budget = createBudget({
      limits: [parseBudgetLimit('0.01/day')],
      store: createMemoryBudgetStore(),
      now: () => now,
    });
    const client = createX402Client({ schemes: [{ network: 'eip155:*', client: slowScheme() }], budget });
    await client.reportOutcome(await client.createPaymentPayload(required([cent()])), 'paid');
    await assert.rejects(client.createPaymentPayload(required([cent()])), /budget 0\.01 USD\/day exceeded/);
    now = Date.parse('2026-12-07T00:00:01Z');
    await client.createPaymentPayload(required([cent()]));
    assert.equal((await budget.report())[0]?.window, 'day:2026-12-07');
  });
});
