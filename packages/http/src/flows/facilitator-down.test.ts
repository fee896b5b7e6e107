import assert from 'node:assert/strict';
import { errorOf, flowTest, required } from '@x402kit/testing/http-flow';
import { wrapFetchWithPayment } from '../fetch.js';

flowTest(
  'facilitator down: still answers unpaid requests with a decodable 402',
  async (app) => {
    const res = await fetch(`${app.url}/paid`);
    assert.equal(res.status, 402);
    const pr = required(res);
    if (pr.x402Version !== 2) throw new Error('expected v2');
    assert.equal(pr.accepts[0]?.amount, '10000');
    const dynamic = await fetch(`${app.url}/city/Oslo`);
    assert.equal(dynamic.status, 402);
  },
  { facilitator: 'down' },
);

flowTest(
  'facilitator down: answers a paid request 402 with the reason, never 500, and never runs the handler',
  async (app) => {
    const { stack, hits } = app;
    const res = await wrapFetchWithPayment(fetch, stack.client)(`${app.url}/paid`);
    assert.equal(res.status, 402);
    assert.equal(errorOf(res), 'facilitator_unavailable');
    assert.equal(hits.paid, 0);
  },
  { facilitator: 'down' },
);
