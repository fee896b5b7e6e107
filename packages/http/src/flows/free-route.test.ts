import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLOW_ADAPTERS, startFlowApp } from '@x402kit/testing/http-flow';

for (const adapter of FLOW_ADAPTERS) {
  test(`${adapter.name}: lets unprotected requests through untouched`, async (t) => {
    const app = await startFlowApp(adapter);
    t.after(() => app.close());
    const { hits } = app;
    const url = app.at;
    const res = await fetch(url('/free'));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'free');
    assert.equal(res.headers.get('PAYMENT-REQUIRED'), null);
    assert.equal(hits.free, 1);
  });
}
