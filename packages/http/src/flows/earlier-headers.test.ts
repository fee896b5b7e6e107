import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLOW_ADAPTERS, startFlowApp } from '@x402kit/testing/http-flow';

for (const adapter of FLOW_ADAPTERS.filter((a) => a.preHeaders)) {
  test(`${adapter.name}: keeps headers set by earlier middleware and merges the CORS expose list`, async (t) => {
    const app = await startFlowApp(adapter);
    t.after(() => app.close());
    const url = app.at;
    const res = await fetch(url('/paid'));
    assert.equal(res.status, 402);
    assert.equal(res.headers.get('x-pre'), 'yes');
    const expose = res.headers.get('access-control-expose-headers') ?? '';
    assert.match(expose, /X-Request-Id/);
    assert.match(expose, /PAYMENT-REQUIRED/);
    assert.match(expose, /PAYMENT-RESPONSE/);
  });
}
