import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorOf, FLOW_ADAPTERS, required, startFlowApp } from '@x402kit/testing/http-flow';
import { wrapFetchWithPayment } from '../fetch.js';

for (const adapter of FLOW_ADAPTERS) {
  test(`${adapter.name}, facilitator down: still answers unpaid requests with a decodable 402`, async (t) => {
    const app = await startFlowApp(adapter, { facilitator: 'down' });
    t.after(() => app.close());
    const res = await fetch(`${app.url}/paid`);
    assert.equal(res.status, 402);
    const pr = required(res);
    if (pr.x402Version !== 2) throw new Error('expected v2');
    assert.equal(pr.accepts[0]?.amount, '10000');
    const dynamic = await fetch(`${app.url}/city/Oslo`);
    assert.equal(dynamic.status, 402);
  });

  test(`${adapter.name}, facilitator down: answers a paid request 402 with the reason, never 500, and never runs the handler`, async (t) => {
    const app = await startFlowApp(adapter, { facilitator: 'down' });
    t.after(() => app.close());
    const { stack, hits } = app;
    const res = await wrapFetchWithPayment(fetch, stack.client)(`${app.url}/paid`);
    assert.equal(res.status, 402);
    assert.equal(errorOf(res), 'facilitator_unavailable');
    assert.equal(hits.paid, 0);
  });
}
