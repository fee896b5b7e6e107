import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BYPASS_PATHS, FLOW_ADAPTERS, startFlowApp } from '@x402kit/testing/http-flow';
import { PAID_CONTENT, rawRequest } from '@x402kit/testing/test-stack';

for (const adapter of FLOW_ADAPTERS) {
  test(`${adapter.name}: never reaches a protected handler through path encoding tricks`, async (t) => {
    const app = await startFlowApp(adapter);
    t.after(() => app.close());
    const { hits } = app;
    const paidHits = hits.paid;
    const filesHits = hits.files;
    for (const path of BYPASS_PATHS) {
      const res = await rawRequest(app.url, 'GET', path);
      assert.ok(res.status === 402 || res.status === 400, `${path} answered ${res.status}`);
      assert.ok(!res.body.includes(PAID_CONTENT), `${path} leaked paid content`);
    }
    // HEAD runs GET handlers in most frameworks: it must pay too
    const head = await rawRequest(app.url, 'HEAD', '/paid');
    assert.equal(head.status, 402);
    assert.equal(hits.paid, paidHits);
    assert.equal(hits.files, filesHits);
  });
}
