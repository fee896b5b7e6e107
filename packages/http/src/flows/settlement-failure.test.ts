import assert from 'node:assert/strict';
import { flowTest } from '@x402kit/testing/http-flow';
import { PAID_CONTENT } from '@x402kit/testing/test-stack';
import { getPaymentResponse, wrapFetchWithPayment } from '../fetch.js';

flowTest('withholds the handler output when settlement fails', async (app) => {
  const { stack, hits } = app;
  const url = app.at;
  stack.ledger.failSettleWith = 'test_settlement_refused';
  try {
    const pay = wrapFetchWithPayment(fetch, stack.client);
    const paidHits = hits.paid;
    const res = await pay(url('/paid'));
    assert.equal(hits.paid, paidHits + 1, 'the handler ran');
    assert.equal(res.status, 402);
    const body = await res.text();
    assert.ok(!body.includes(PAID_CONTENT), 'handler output leaked');
    assert.equal(body, '{}');
    assert.equal(res.headers.get('x-handler'), null, 'handler headers leaked');
    assert.equal(res.headers.get('PAYMENT-REQUIRED'), null);
    const settlement = getPaymentResponse(res);
    assert.equal(settlement?.success, false);
    assert.equal(settlement?.errorReason, 'test_settlement_refused');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    if (app.adapter.preHeaders) assert.equal(res.headers.get('x-pre'), 'yes');
  } finally {
    stack.ledger.failSettleWith = undefined;
  }
});
