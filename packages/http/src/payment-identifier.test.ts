import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createFacilitator,
  decodePaymentRequiredHeader,
  decodePaymentSignatureHeader,
  encodePaymentSignatureHeader,
  PAYMENT_IDENTIFIER,
  PaymentIdentifierReasons,
  readPaymentIdentifier,
} from '@x402kit/core';
import { createTestLedger, TEST_NETWORK, TEST_SCHEME } from '@x402kit/testing/test-ledger';
import { createTestStack, PAID_CONTENT, PAY_TO, type TestStack } from '@x402kit/testing/test-stack';
import { type FetchLike, wrapFetchWithPayment } from './fetch.js';
import { createPaymentHandler } from './server.js';

const option = { scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: PAY_TO, price: '$0.01' };

function app(stack: TestStack, required: boolean) {
  const payments = createPaymentHandler({
    routes: { 'GET /paid': { accepts: option, paymentIdentifier: { required } } },
    server: stack.server,
  });
  const signatures: string[] = [];
  const call: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const signature = request.headers.get('payment-signature');
    if (signature) signatures.push(signature);
    return payments.handle(request, async () => new Response(PAID_CONTENT));
  };
  return { call, signatures };
}

/** A payment for /paid made by the stack's client, with its extensions replaced. */
async function paymentWith(
  stack: TestStack,
  call: FetchLike,
  extensions: Record<string, unknown> | undefined,
) {
  const pr = decodePaymentRequiredHeader(
    (await call('http://127.0.0.1/paid')).headers.get('payment-required') ?? '',
  );
  const payload = await stack.client.createPaymentPayload(pr);
  if (payload.x402Version !== 2) throw new Error('expected a v2 payment');
  const { extensions: _dropped, ...rest } = payload;
  return encodePaymentSignatureHeader({ ...rest, ...(extensions ? { extensions } : {}) });
}

describe('payment-identifier on the resource server', () => {
  it('declares the extension in the 402 and our paying fetch echoes the id it is given', async () => {
    const stack = createTestStack();
    const { call, signatures } = app(stack, true);
    const pr = decodePaymentRequiredHeader(
      (await call('http://127.0.0.1/paid')).headers.get('payment-required') ?? '',
    );
    assert.equal(pr.x402Version === 2 && pr.extensions?.[PAYMENT_IDENTIFIER] !== undefined, true);
    const id = 'pay_agent_job_0001_retry_safe';
    const pay = wrapFetchWithPayment(call, stack.client, { paymentIdentifier: () => id });
    const res = await pay('http://127.0.0.1/paid');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), PAID_CONTENT);
    const sent = readPaymentIdentifier(decodePaymentSignatureHeader(signatures[0] ?? ''));
    assert.deepEqual(sent, { present: true, valid: true, id });
  });

  it('refuses a payment without an id with 400 payment_identifier_required when required', async () => {
    const stack = createTestStack();
    const { call } = app(stack, true);
    const header = await paymentWith(stack, call, undefined);
    const res = await call('http://127.0.0.1/paid', { headers: { 'PAYMENT-SIGNATURE': header } });
    assert.equal(res.status, 400);
    const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    assert.equal(pr.x402Version === 2 && pr.error, PaymentIdentifierReasons.required);
    assert.equal(stack.ledger.calls.verify, 0);
  });

  it('refuses an invalid id with 400 invalid_payment_identifier, and lets no id through when optional', async () => {
    const stack = createTestStack();
    const { call } = app(stack, false);
    const bad = await paymentWith(stack, call, {
      [PAYMENT_IDENTIFIER]: { info: { required: false, id: 'short' } },
    });
    const res = await call('http://127.0.0.1/paid', { headers: { 'PAYMENT-SIGNATURE': bad } });
    assert.equal(res.status, 400);
    const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    assert.equal(pr.x402Version === 2 && pr.error, PaymentIdentifierReasons.invalid);
    const none = await paymentWith(stack, call, undefined);
    const ok = await call('http://127.0.0.1/paid', { headers: { 'PAYMENT-SIGNATURE': none } });
    assert.equal(ok.status, 200);
  });

  it('answers 409 when the facilitator reports payment_identifier_conflict', async () => {
    const ledger = createTestLedger();
    const seen = new Map<string, string>();
    const facilitator = createFacilitator({
      schemes: [{ networks: TEST_NETWORK, facilitator: ledger.facilitator }],
      hooks: {
        beforeVerify(call) {
          const found = readPaymentIdentifier(call.payload);
          if (!found.present || !found.valid) return undefined;
          const fingerprint = JSON.stringify(call.payload.payload);
          const first = seen.get(found.id) ?? fingerprint;
          seen.set(found.id, first);
          return first === fingerprint
            ? undefined
            : { abort: true, reason: PaymentIdentifierReasons.conflict, message: 'id reused' };
        },
      },
    });
    const stack = { ...createTestStack({ facilitator }), ledger };
    const { call } = app(stack, true);
    const id = 'pay_same_id_for_two_payments';
    const pay = wrapFetchWithPayment(call, stack.client, { paymentIdentifier: () => id });
    assert.equal((await pay('http://127.0.0.1/paid')).status, 200);
    const second = await pay('http://127.0.0.1/paid');
    assert.equal(second.status, 409);
    assert.ok(!(await second.text()).includes(PAID_CONTENT));
  });
});
