import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AnyPaymentRequired,
  decodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  PaymentRequired,
  PaymentRequiredV1,
} from '@x402kit/core';
import { TEST_NETWORK, TEST_SCHEME } from '@x402kit/testing/test-ledger';
import { createTestStack, PAID_CONTENT, PAY_TO } from '@x402kit/testing/test-stack';
import { createPaymentHandler, type PaymentHandlerOptions } from '../server.js';

const URL = 'http://127.0.0.1/paid';

function app(options: Partial<PaymentHandlerOptions> = {}) {
  const stack = createTestStack();
  const payments = createPaymentHandler({
    routes: {
      'GET /paid': { accepts: { scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: PAY_TO, price: '$0.01' } },
    },
    server: stack.server,
    ...options,
  });
  const call = (headers: Record<string, string> = {}) =>
    payments.handle(new Request(URL, { headers }), async () => new Response(PAID_CONTENT));
  return { stack, call };
}

/**
 * Pay `offer` (a v2 one with PAYMENT-SIGNATURE, a v1 one with X-PAYMENT) with a payment the
 * facilitator refuses as insufficient_funds: the 402 that answers it.
 */
async function refusedPayment(
  { stack, call }: ReturnType<typeof app>,
  offer: AnyPaymentRequired,
  version: 1 | 2,
) {
  stack.ledger.failVerifyWith = 'insufficient_funds';
  const payload = await stack.client.createPaymentPayload(offer);
  assert.equal(payload.x402Version, version);
  const refused = await call({
    [version === 2 ? 'PAYMENT-SIGNATURE' : 'X-PAYMENT']: encodePaymentSignatureHeader(payload),
  });
  assert.equal(refused.status, 402);
  return refused;
}

test('the 402 body is the v2 PaymentRequired of the header, unpaid and refused (v2 payment)', async () => {
  const a = app();
  const unpaid = await a.call();
  const pr = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
  assert.deepEqual(PaymentRequired.parse(await unpaid.json()), pr);
  const refused = await refusedPayment(a, pr, 2);
  const body = PaymentRequired.parse(await refused.json());
  assert.equal(body.x402Version, 2);
  assert.equal(body.error, 'insufficient_funds');
  assert.deepEqual(body, decodePaymentRequiredHeader(refused.headers.get('payment-required') ?? ''));
});

test('a refused v1 payment (X-PAYMENT) is answered with the v1 document', async () => {
  const a = app({ v1UnpaidBody: true });
  const v1 = PaymentRequiredV1.parse(await (await a.call()).json());
  const refused = await refusedPayment(a, v1, 1);
  const body = PaymentRequiredV1.parse(await refused.json());
  assert.equal(body.x402Version, 1);
  assert.equal(body.error, 'insufficient_funds');
});

test('with v1: false the bodies are {} (the reference v2 servers), the header unchanged', async () => {
  const { call } = app({ v1: false });
  const unpaid = await call();
  assert.equal(await unpaid.text(), '{}');
  assert.equal(decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '').x402Version, 2);
});
