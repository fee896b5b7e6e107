import assert from 'node:assert/strict';
import { decodePaymentResponseHeader, encodePaymentSignatureHeader } from '@x402kit/core';
import { flowTest } from '@x402kit/testing/http-flow';
import { TEST_NETWORK_V1 } from '@x402kit/testing/test-ledger';
import { readPaymentRequired } from '../fetch.js';

// a v1-only client reads the unpaid 402's body: the server opts into the v1 document there
flowTest(
  'accepts an x402 v1 payment (X-PAYMENT) and answers X-PAYMENT-RESPONSE',
  async (app) => {
    const { stack } = app;
    const url = app.at;
    const unpaid = await fetch(url('/paid'));
    assert.equal(unpaid.status, 402);
    const pr = await readPaymentRequired(new Response(await unpaid.text(), { status: 402 }));
    assert.equal(pr?.x402Version, 1, 'a v1 document in the body');
    if (!pr) return;
    const payload = await stack.client.createPaymentPayload(pr);
    assert.equal(payload.x402Version, 1);
    const res = await fetch(url('/paid'), {
      headers: { 'X-PAYMENT': encodePaymentSignatureHeader(payload) },
    });
    assert.equal(res.status, 200);
    const header = res.headers.get('X-PAYMENT-RESPONSE');
    assert.ok(header);
    const settlement = decodePaymentResponseHeader(header);
    assert.equal(settlement.success, true);
    assert.equal(settlement.network, TEST_NETWORK_V1);
  },
  { v1UnpaidBody: true },
);
