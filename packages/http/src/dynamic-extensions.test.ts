import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createFacilitator,
  createResourceServer,
  decodePaymentRequiredHeader,
  type SchemeServer,
} from '@x402kit/core';
import { createTestLedger, TEST_NETWORK, TEST_SCHEME } from '@x402kit/testing/test-ledger';
import { createPaymentHandler } from './server.js';

describe('schemes with per-402 extensions (a server-chosen nonce)', () => {
  it('get a fresh 402 each time, even on a fixed-price route, merged over the route extensions', async () => {
    const ledger = createTestLedger();
    let issued = 0;
    const withNonce: SchemeServer = {
      ...ledger.server,
      paymentRequiredExtensions: (offered, { resource }) => ({
        issuedNonce: { info: { nonce: String(++issued), offers: offered.length, url: resource.url } },
      }),
    };
    const server = createResourceServer({
      facilitators: createFacilitator({
        schemes: [{ networks: TEST_NETWORK, facilitator: ledger.facilitator }],
      }),
      schemes: [{ network: 'test:*', server: withNonce }],
    });
    const handler = createPaymentHandler({
      routes: {
        'GET /paid': {
          accepts: { scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: 'merchant', price: '$0.01' },
          extensions: { bazaar: { info: { a: 1 }, schema: {} } },
        },
      },
      server,
    });
    const app = async () => new Response('paid');
    const nonces: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await handler.handle(new Request('http://127.0.0.1/paid'), app);
      assert.equal(res.status, 402);
      const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
      assert.equal(pr.x402Version, 2);
      if (pr.x402Version !== 2) return;
      assert.deepEqual(pr.extensions?.bazaar, { info: { a: 1 }, schema: {} });
      const issued = pr.extensions?.issuedNonce as
        | { info: { nonce: string; offers: number; url: string } }
        | undefined;
      assert.ok(issued, 'the scheme extension is present');
      const { info } = issued;
      assert.equal(info.offers, 1);
      assert.equal(info.url, 'http://127.0.0.1/paid');
      nonces.push(info.nonce);
    }
    assert.deepEqual(nonces, ['1', '2', '3']);
  });
});
