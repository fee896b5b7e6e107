import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePaymentSignatureHeader } from '@x402kit/core';
import { errorOf, FLOW_ADAPTERS, required, startFlowApp } from '@x402kit/testing/http-flow';

for (const adapter of FLOW_ADAPTERS) {
  test(`${adapter.name}: answers "No matching payment requirements" when the payment is for another offer`, async (t) => {
    const app = await startFlowApp(adapter);
    t.after(() => app.close());
    const { stack } = app;
    const url = app.at;
    const pr = required(await fetch(url('/paid')));
    if (pr.x402Version !== 2) throw new Error('expected v2');
    const tampered = { ...pr, accepts: [{ ...pr.accepts[0]!, amount: '1' }] };
    const payload = await stack.client.createPaymentPayload(tampered);
    const res = await fetch(url('/paid'), {
      headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
    });
    assert.equal(res.status, 402);
    assert.equal(errorOf(res), 'No matching payment requirements');
  });
}
