import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BudgetReasons,
  createBudget,
  createMemoryBudgetStore,
  createX402Client,
  X402Error,
} from '@x402kit/core';
import { TEST_ASSET, TEST_NETWORK } from '@x402kit/testing/test-ledger';
import { createTestStack, type TestStack, testRoutes } from '@x402kit/testing/test-stack';
import { createWebApp } from '@x402kit/testing/web-app';
import { paymentOutcomeOf, wrapFetchWithPayment } from './fetch.js';
import { type Served, serve } from './node.js';
import { createPaymentHandler } from './server.js';

describe('wrapFetchWithPayment with a budget', () => {
  let stack: TestStack;
  let app: Served;

  before(async () => {
    stack = createTestStack();
    const payments = createPaymentHandler({ routes: testRoutes(), server: stack.server });
    const web = createWebApp({ free: 0, paid: 0, echo: 0, broken: 0, metered: 0, city: 0, files: 0 });
    app = await serve((request) => payments.handle(request, web));
  });
  after(() => app.close());

  it('keeps settled payments spent and refuses the one past the budget before signing', async () => {
    // /paid costs $0.01 = 10000 TUSD atomic; the budget covers two
    const budget = createBudget({
      limits: [{ amount: 20_000n, asset: { network: TEST_NETWORK, asset: TEST_ASSET }, period: 'session' }],
      store: createMemoryBudgetStore(),
    });
    const client = createX402Client({
      schemes: [{ network: 'test:*', client: stack.ledger.client() }],
      budget,
    });
    const pay = wrapFetchWithPayment(fetch, client);
    for (let i = 0; i < 2; i++) {
      const res = await pay(`${app.url}/paid`);
      assert.equal(res.status, 200);
      assert.equal(paymentOutcomeOf(res), 'paid');
    }
    const [afterTwo] = await budget.report();
    assert.deepEqual([afterTwo?.spent, afterTwo?.reserved, afterTwo?.left], ['20000', '0', '0']);
    const settles = stack.ledger.calls.settle;
    await assert.rejects(
      pay(`${app.url}/paid`),
      (e: unknown) => e instanceof X402Error && e.reason === BudgetReasons.budgetExceeded,
    );
    assert.equal(stack.ledger.calls.settle, settles);
  });

  it('reads the outcome of a paid answer', () => {
    assert.equal(paymentOutcomeOf(new Response('no', { status: 402 })), 'refused');
    assert.equal(paymentOutcomeOf(new Response('ok', { status: 200 })), 'unknown');
    assert.equal(paymentOutcomeOf(new Response('boom', { status: 500 })), 'unknown');
  });
});
