import assert from 'node:assert/strict';
import { flowTest } from '@x402kit/testing/http-flow';
import { TEST_NETWORK } from '@x402kit/testing/test-ledger';
import { PAID_CONTENT } from '@x402kit/testing/test-stack';
import { getPaymentResponse, wrapFetchWithPayment } from '../fetch.js';

flowTest('serves a paid request once settled and exposes PAYMENT-RESPONSE', async (app) => {
  const { stack } = app;
  const url = app.at;
  const settledBefore = stack.ledger.settlements.length;
  const pay = wrapFetchWithPayment(fetch, stack.client);
  const res = await pay(url('/paid'));
  assert.equal(res.status, 200);
  assert.match(await res.text(), new RegExp(PAID_CONTENT));
  assert.equal(res.headers.get('x-handler'), 'paid');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.match(res.headers.get('access-control-expose-headers') ?? '', /PAYMENT-RESPONSE/);
  const settlement = getPaymentResponse(res);
  assert.ok(settlement?.success);
  assert.equal(settlement.network, TEST_NETWORK);
  assert.match(settlement.transaction, /^0xtest/);
  assert.equal(stack.ledger.settlements.length, settledBefore + 1);
  assert.equal(stack.ledger.settlements.at(-1)?.amount, '10000');
  if (app.adapter.preHeaders) {
    assert.equal(res.headers.get('x-pre'), 'yes');
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /X-Request-Id/);
  }
});
