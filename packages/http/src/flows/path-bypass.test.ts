import assert from 'node:assert/strict';
import { BYPASS_PATHS, flowTest } from '@x402kit/testing/http-flow';
import { PAID_CONTENT, rawRequest } from '@x402kit/testing/test-stack';

flowTest('never reaches a protected handler through path encoding tricks', async (app) => {
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
