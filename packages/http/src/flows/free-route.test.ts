import assert from 'node:assert/strict';
import { flowTest } from '@x402kit/testing/http-flow';

flowTest('lets unprotected requests through untouched', async (app) => {
  const { hits } = app;
  const url = app.at;
  const res = await fetch(url('/free'));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'free');
  assert.equal(res.headers.get('PAYMENT-REQUIRED'), null);
  assert.equal(hits.free, 1);
});
