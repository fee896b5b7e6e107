import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  type PaymentRequired,
} from '@x402kit/core';
import { TEST_NETWORK, TEST_SCHEME } from '@x402kit/testing/test-ledger';
import { createTestStack, PAID_CONTENT, PAY_TO } from '@x402kit/testing/test-stack';
import { createPaymentHandler, type PaymentHandlerOptions } from '../server.js';
import { createNonce, renderPaywallPage, wantsPaywall } from './paywall-page.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const USDC_BASE_SEPOLIA = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const PAYEE = '0x209693Bc6afc0C5328bA36FaF03C514EF312287C';

function app(options: Partial<PaymentHandlerOptions> = {}) {
  const stack = createTestStack();
  let hits = 0;
  const payments = createPaymentHandler({
    routes: {
      'GET /paid': {
        accepts: { scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: PAY_TO, price: '$0.01' },
        description: 'A <paid> thing',
      },
    },
    server: stack.server,
    ...options,
  });
  const call = (init?: RequestInit) =>
    payments.handle(new Request('http://127.0.0.1/paid', init), async () => {
      hits++;
      return new Response(PAID_CONTENT);
    });
  return { stack, call, hits: () => hits };
}

const evmOffer = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1500',
  asset: USDC_BASE_SEPOLIA,
  payTo: PAYEE,
  maxTimeoutSeconds: 300,
  extra: { name: 'USDC', version: '2' },
};

describe('browser paywall', () => {
  it('answers a browser navigation with the 402 page, a CSP nonce and PAYMENT-REQUIRED', async () => {
    const { call, hits } = app({ paywall: { appName: 'Shop & Co' } });
    const res = await call({ headers: { Accept: BROWSER_ACCEPT } });
    assert.equal(res.status, 402);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /connect-src 'self'/);
    const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    assert.equal(pr.x402Version, 2);
    const html = await res.text();
    assert.ok(html.includes(`<script nonce="${nonce}">`));
    assert.ok(html.includes('Shop &amp; Co'));
    assert.ok(html.includes('A &lt;paid&gt; thing'), 'the description is escaped');
    assert.ok(!html.includes('<paid>'));
    assert.match(html, /paid with an x402 client/, 'a scheme the browser cannot pay says so');
    assert.ok(!html.includes('data-offer='), 'and has no pay button');
    assert.equal(hits(), 0);
    // a fresh nonce per page
    const again = await call({ headers: { Accept: BROWSER_ACCEPT } });
    assert.notEqual(again.headers.get('content-security-policy'), csp);
  });

  it('keeps the JSON 402 for API clients, for requests carrying a payment, and when disabled', async () => {
    const { call, stack, hits } = app();
    for (const accept of ['application/json', '*/*', undefined]) {
      const res = await call(accept ? { headers: { Accept: accept } } : {});
      assert.equal(res.status, 402);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/, String(accept));
    }
    // a payment sent with a browser's Accept header is processed, not answered with the page
    const unpaid = await call({ headers: { Accept: 'application/json' } });
    const payload = await stack.client.createPaymentPayload(
      decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? ''),
    );
    const paid = await call({
      headers: { Accept: BROWSER_ACCEPT, 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
    });
    assert.equal(paid.status, 200);
    assert.equal(await paid.text(), PAID_CONTENT);
    const bad = await call({ headers: { Accept: BROWSER_ACCEPT, 'PAYMENT-SIGNATURE': 'x' } });
    assert.equal(bad.status, 402);
    assert.match(bad.headers.get('content-type') ?? '', /application\/json/);
    const disabled = app({ paywall: { disabled: true } });
    const res = await disabled.call({ headers: { Accept: BROWSER_ACCEPT } });
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(hits(), 1);
  });

  it('shows an EVM exact offer in token units with its network name and a pay button', () => {
    const pr: PaymentRequired = {
      x402Version: 2,
      error: 'Payment required',
      resource: { url: 'https://api.example.com/weather', description: 'Weather', mimeType: '' },
      accepts: [evmOffer, { ...evmOffer, extra: { ...evmOffer.extra, assetTransferMethod: 'permit2' } }],
    };
    const { html } = renderPaywallPage(pr, { appLogo: 'javascript:alert(1)' }, 'GET', createNonce());
    assert.match(html, /<dd class="price" data-testid="price">0\.0015 USDC<\/dd>/);
    assert.match(html, /Base Sepolia/);
    assert.ok(html.includes(PAYEE));
    assert.match(html, /<button type="button" data-offer="0">Pay 0\.0015 USDC with your wallet<\/button>/);
    assert.ok(!html.includes('data-offer="1"'), 'Permit2 is not paid from the page');
    assert.ok(!html.includes('javascript:'), 'an unsafe logo URL is dropped');
  });

  it('embeds the 402 so that no value can close the script element', () => {
    const pr: PaymentRequired = {
      x402Version: 2,
      resource: { url: 'https://x.test/</script><script>alert(1)</script>', description: '', mimeType: '' },
      accepts: [evmOffer],
    };
    const { html } = renderPaywallPage(pr, {}, 'GET', 'n');
    assert.equal(html.split('</script>').length - 1, 2, 'only the two real script elements close');
    const data = /<script type="application\/json" id="x402-paywall-data">(.*?)<\/script>/s.exec(html)?.[1];
    assert.equal(JSON.parse(data ?? '').paymentRequired.resource.url, pr.resource?.url);
  });

  it('detects browsers by Accept', () => {
    assert.equal(wantsPaywall(BROWSER_ACCEPT), true);
    assert.equal(wantsPaywall('TEXT/HTML'), true);
    assert.equal(wantsPaywall('application/json'), false);
    assert.equal(wantsPaywall('*/*'), false);
    assert.equal(wantsPaywall(undefined), false);
  });
});
