import assert from 'node:assert/strict';
import { flowTest } from '@x402kit/testing/http-flow';
import { PAID_CONTENT } from '@x402kit/testing/test-stack';
import { wrapFetchWithPayment } from '../fetch.js';

flowTest('re-sends a POST body on the paid retry (string and stream bodies)', async (app) => {
  const { stack } = app;
  const url = app.at;
  const pay = wrapFetchWithPayment(fetch, stack.client);
  const res = await pay(url('/echo'), {
    method: 'POST',
    body: 'hello body',
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { content: PAID_CONTENT, echo: 'hello body' });
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('streamed '));
      c.enqueue(new TextEncoder().encode('body'));
      c.close();
    },
  });
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    body: stream,
    duplex: 'half',
    headers: { 'content-type': 'text/plain' },
  };
  const res2 = await pay(url('/echo'), init);
  assert.equal(res2.status, 200);
  assert.deepEqual(await res2.json(), { content: PAID_CONTENT, echo: 'streamed body' });
});
