import assert from 'node:assert/strict';
import { encodePaymentSignatureHeader } from '@x402kit/core';
import { errorOf, flowTest, required } from '@x402kit/testing/http-flow';

flowTest('answers "No matching payment requirements" when the payment is for another offer', async (app) => {
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
