import assert from 'node:assert/strict';
import { type PaymentPayload, PaymentRequired, PaymentRequiredV1 } from '@x402kit/core';
import { deepEqual } from '@x402kit/core/internal';
import { flowTest, required } from '@x402kit/testing/http-flow';
import { TEST_ASSET, TEST_NETWORK, TEST_NETWORK_V1 } from '@x402kit/testing/test-ledger';
import { PAY_TO } from '@x402kit/testing/test-stack';

flowTest(
  'answers an unpaid request with 402, a decodable PAYMENT-REQUIRED and no handler call',
  async (app) => {
    const { stack, hits } = app;
    const url = app.at;
    const res = await fetch(url('/paid'));
    assert.equal(res.status, 402);
    assert.equal(hits.paid, 0);
    const pr = required(res);
    assert.equal(pr.x402Version, 2);
    if (pr.x402Version !== 2) return;
    assert.equal(pr.error, 'Payment required');
    assert.equal(pr.resource.url, url('/paid'));
    assert.equal(pr.resource.description, 'A paid thing');
    assert.deepEqual(pr.accepts, [
      {
        scheme: 'test-ledger',
        network: TEST_NETWORK,
        amount: '10000',
        asset: TEST_ASSET,
        payTo: PAY_TO,
        maxTimeoutSeconds: 300,
        extra: { ledger: 'main' },
      },
    ]);
    // the offer re-matches the server's own rebuilt requirements by deep equality
    const payload: PaymentPayload = { x402Version: 2, accepted: pr.accepts[0]!, payload: {} };
    const rebuilt = await stack.server.buildRequirements(
      [{ scheme: 'test-ledger', network: TEST_NETWORK, payTo: PAY_TO, price: '$0.01' }],
      {},
    );
    assert.ok(stack.server.findMatchingRequirements(rebuilt, payload));
    assert.ok(deepEqual(rebuilt[0], pr.accepts[0]));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /PAYMENT-REQUIRED/);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    // the body is the same v2 document as the header, for clients that read bodies
    assert.deepEqual(PaymentRequired.parse(await res.json()), pr);
  },
);

flowTest(
  "with v1UnpaidBody, puts the v1 document in the unpaid 402's body for v1-only clients",
  async (app) => {
    const url = app.at;
    const res = await fetch(url('/paid'));
    assert.equal(res.status, 402);
    assert.equal(required(res).x402Version, 2, 'v2 clients still read the header');
    // v1 clients read the body
    const body = PaymentRequiredV1.parse(await res.json());
    assert.equal(body.x402Version, 1);
    assert.equal(body.accepts[0]?.network, TEST_NETWORK_V1);
    assert.equal(body.accepts[0]?.maxAmountRequired, '10000');
    assert.equal(body.accepts[0]?.resource, url('/paid'));
  },
  { v1UnpaidBody: true },
);
