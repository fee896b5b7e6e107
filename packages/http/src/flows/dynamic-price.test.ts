import assert from 'node:assert/strict';
import { flowTest, required } from '@x402kit/testing/http-flow';
import { PAY_TO } from '@x402kit/testing/test-stack';
import { wrapFetchWithPayment } from '../fetch.js';

flowTest('prices dynamic routes per request', async (app) => {
  const { stack } = app;
  const url = app.at;
  const paris = required(await fetch(url('/city/Paris')));
  const rome = required(await fetch(url('/city/Rome')));
  if (paris.x402Version !== 2 || rome.x402Version !== 2) throw new Error('expected v2');
  assert.equal(paris.accepts[0]?.amount, '5000');
  assert.equal(paris.accepts[0]?.payTo, `${PAY_TO}-paris`);
  assert.equal(rome.accepts[0]?.amount, '4000');
  const res = await wrapFetchWithPayment(fetch, stack.client)(url('/city/Rome'));
  assert.equal(res.status, 200);
  assert.equal(stack.ledger.settlements.at(-1)?.amount, '4000');
  assert.equal(stack.ledger.settlements.at(-1)?.payTo, `${PAY_TO}-rome`);
});
