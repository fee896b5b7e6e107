import assert from 'node:assert/strict';
import { flowTest } from '@x402kit/testing/http-flow';
import { wrapFetchWithPayment } from '../fetch.js';

flowTest('does not settle when the handler answers an error', async (app) => {
  const { stack, hits } = app;
  const url = app.at;
  const settles = stack.ledger.calls.settle;
  const pay = wrapFetchWithPayment(fetch, stack.client);
  const res = await pay(url('/broken'));
  assert.equal(res.status, 500);
  assert.equal(hits.broken, 1);
  assert.equal(stack.ledger.calls.settle, settles, 'settle must not be called');
  assert.equal(res.headers.get('PAYMENT-RESPONSE'), null);
});
