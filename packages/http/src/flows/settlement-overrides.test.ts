import assert from 'node:assert/strict';
import { flowTest } from '@x402kit/testing/http-flow';
import { getPaymentResponse, wrapFetchWithPayment } from '../fetch.js';

flowTest('honours Settlement-Overrides and strips it from the response', async (app) => {
  const { stack } = app;
  const url = app.at;
  const res = await wrapFetchWithPayment(fetch, stack.client)(url('/metered'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('settlement-overrides'), null);
  assert.equal(stack.ledger.settlements.at(-1)?.amount, '10000', '50% of 20000');
  assert.equal(getPaymentResponse(res)?.amount, '10000');
});
