/**
 * The payment-flow test suite every adapter runs (Web core, Node, Express, Hono): same routes,
 * same handlers, same assertions, over real HTTP on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Log } from '@x402kit/core';
import {
  type AnyPaymentRequired,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  deepEqual,
  encodeBase64,
  encodePaymentSignatureHeader,
  type PaymentPayload,
  PaymentRequiredV1,
  type ResourceServer,
} from '@x402kit/core';
import { getPaymentResponse, readPaymentRequired, wrapFetchWithPayment } from '../fetch.js';
import type { RoutesConfig } from '../route-table.js';
import { TEST_ASSET, TEST_NETWORK, TEST_NETWORK_V1 } from './test-ledger.js';
import {
  createDownStack,
  createTestStack,
  PAID_CONTENT,
  PAY_TO,
  rawRequest,
  type TestStack,
  testRoutes,
} from './test-stack.js';

/** Handler hit counters, one per test endpoint. */
export type Hits = {
  free: number;
  paid: number;
  echo: number;
  broken: number;
  metered: number;
  city: number;
  files: number;
};

/** What an adapter's app factory receives. */
export type AppSetup = {
  routes: RoutesConfig;
  server: ResourceServer;
  options: { log?: Log };
  hits: Hits;
};

/** Starts the adapter's app on a free port. */
export type StartApp = (setup: AppSetup) => Promise<{ url: string; close(): Promise<void> }>;

/** Suite switches. */
export type FlowSuiteFeatures = {
  /** The app sets `Access-Control-Expose-Headers: X-Request-Id` and `X-Pre: yes` before the payment middleware. */
  preHeaders?: boolean;
};

const newHits = (): Hits => ({ free: 0, paid: 0, echo: 0, broken: 0, metered: 0, city: 0, files: 0 });

function required(response: Response): AnyPaymentRequired {
  const header = response.headers.get('PAYMENT-REQUIRED');
  assert.ok(header, `expected a PAYMENT-REQUIRED header (status ${response.status})`);
  return decodePaymentRequiredHeader(header);
}

function errorOf(response: Response): string | undefined {
  return required(response).error;
}

/** Path tricks that must never reach the protected `GET /paid` handler unpaid. */
export const BYPASS_PATHS = [
  '/paid%2F..%2Ffree',
  '/PAID',
  '//paid',
  '/paid/',
  '/free/../paid',
  '/paid%00',
  '/%ZZpaid',
  '/\\paid',
  '/paid;jsessionid=x',
  '/paid?x=1',
  '/paid#frag',
  '/p%61id',
  '/./paid',
  '/paid%2F',
  '/files%2Fsecret',
  '/FILES/a/b',
];

/**
 * Register the shared flow tests for one adapter.
 *
 * @example
 * runFlowSuite('express', async ({ routes, server, hits }) => listen(buildExpressApp(routes, server, hits)));
 */
export function runFlowSuite(name: string, start: StartApp, features: FlowSuiteFeatures = {}): void {
  describe(`${name}: payment flow`, () => {
    let stack: TestStack;
    let hits: Hits;
    let app: { url: string; close(): Promise<void> };
    const url = (path: string) => `${app.url}${path}`;

    before(async () => {
      stack = createTestStack();
      hits = newHits();
      app = await start({ routes: testRoutes(), server: stack.server, options: {}, hits });
    });
    after(async () => {
      await app.close();
    });

    it('lets unprotected requests through untouched', async () => {
      const res = await fetch(url('/free'));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'free');
      assert.equal(res.headers.get('PAYMENT-REQUIRED'), null);
      assert.equal(hits.free, 1);
    });

    it('answers an unpaid request with 402, a decodable PAYMENT-REQUIRED and no handler call', async () => {
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
      // v1 clients read the body
      const body = PaymentRequiredV1.parse(await res.json());
      assert.equal(body.x402Version, 1);
      assert.equal(body.accepts[0]?.network, TEST_NETWORK_V1);
      assert.equal(body.accepts[0]?.maxAmountRequired, '10000');
      assert.equal(body.accepts[0]?.resource, url('/paid'));
    });

    if (features.preHeaders) {
      it('keeps headers set by earlier middleware and merges the CORS expose list', async () => {
        const res = await fetch(url('/paid'));
        assert.equal(res.status, 402);
        assert.equal(res.headers.get('x-pre'), 'yes');
        const expose = res.headers.get('access-control-expose-headers') ?? '';
        assert.match(expose, /X-Request-Id/);
        assert.match(expose, /PAYMENT-REQUIRED/);
        assert.match(expose, /PAYMENT-RESPONSE/);
      });
    }

    it('serves a paid request once settled and exposes PAYMENT-RESPONSE', async () => {
      const settledBefore = stack.ledger.settlements.length;
      const pay = wrapFetchWithPayment(fetch, stack.client);
      const res = await pay(url('/paid'));
      assert.equal(res.status, 200);
      assert.match(await res.text(), new RegExp(PAID_CONTENT));
      assert.equal(res.headers.get('x-handler'), 'paid');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.match(res.headers.get('access-control-expose-headers') ?? '', /PAYMENT-RESPONSE/);
      const settlement = getPaymentResponse(res);
      assert.ok(settlement?.success);
      assert.equal(settlement.network, TEST_NETWORK);
      assert.match(settlement.transaction, /^0xtest/);
      assert.equal(stack.ledger.settlements.length, settledBefore + 1);
      assert.equal(stack.ledger.settlements.at(-1)?.amount, '10000');
      if (features.preHeaders) {
        assert.equal(res.headers.get('x-pre'), 'yes');
        assert.match(res.headers.get('access-control-expose-headers') ?? '', /X-Request-Id/);
      }
    });

    it('does not settle when the handler answers an error', async () => {
      const settles = stack.ledger.calls.settle;
      const pay = wrapFetchWithPayment(fetch, stack.client);
      const res = await pay(url('/broken'));
      assert.equal(res.status, 500);
      assert.equal(hits.broken, 1);
      assert.equal(stack.ledger.calls.settle, settles, 'settle must not be called');
      assert.equal(res.headers.get('PAYMENT-RESPONSE'), null);
    });

    it('withholds the handler output when settlement fails', async () => {
      stack.ledger.failSettleWith = 'test_settlement_refused';
      try {
        const pay = wrapFetchWithPayment(fetch, stack.client);
        const paidHits = hits.paid;
        const res = await pay(url('/paid'));
        assert.equal(hits.paid, paidHits + 1, 'the handler ran');
        assert.equal(res.status, 402);
        const body = await res.text();
        assert.ok(!body.includes(PAID_CONTENT), 'handler output leaked');
        assert.equal(body, '{}');
        assert.equal(res.headers.get('x-handler'), null, 'handler headers leaked');
        assert.equal(res.headers.get('PAYMENT-REQUIRED'), null);
        const settlement = getPaymentResponse(res);
        assert.equal(settlement?.success, false);
        assert.equal(settlement?.errorReason, 'test_settlement_refused');
        assert.equal(res.headers.get('cache-control'), 'no-store');
        if (features.preHeaders) assert.equal(res.headers.get('x-pre'), 'yes');
      } finally {
        stack.ledger.failSettleWith = undefined;
      }
    });

    it('answers 402 with the facilitator reason when verification fails, 412 for permit2 allowance', async () => {
      const paidHits = hits.paid;
      stack.ledger.failVerifyWith = 'insufficient_funds';
      try {
        const res = await wrapFetchWithPayment(fetch, stack.client)(url('/paid'));
        assert.equal(res.status, 402);
        assert.equal(errorOf(res), 'insufficient_funds');
        stack.ledger.failVerifyWith = 'permit2_allowance_required';
        const res412 = await wrapFetchWithPayment(fetch, stack.client)(url('/paid'));
        assert.equal(res412.status, 412);
        assert.equal(errorOf(res412), 'permit2_allowance_required');
      } finally {
        stack.ledger.failVerifyWith = undefined;
      }
      assert.equal(hits.paid, paidHits);
    });

    it('answers malformed payment headers with a 402 naming the problem, never 500', async () => {
      const cases: Array<[string, string, RegExp]> = [
        ['garbage base64', '!!!not*base64!!!', /not standard base64/],
        ['oversized', 'A'.repeat(17 * 1024), /limit is 16384/],
        ['base64 of non-JSON', encodeBase64('hello, world'), /not standard base64 of a JSON document/],
        [
          'JSON of the wrong shape',
          encodeBase64(JSON.stringify({ x402Version: 2, hello: 'x' })),
          /does not match the x402 schema/,
        ],
        [
          'unknown version',
          encodeBase64(JSON.stringify({ x402Version: 3 })),
          /does not match the x402 schema/,
        ],
        ['empty', ' ', /empty/],
      ];
      const paidHits = hits.paid;
      for (const [what, value, message] of cases) {
        for (const header of ['PAYMENT-SIGNATURE', 'X-PAYMENT']) {
          const res = await fetch(url('/paid'), { headers: { [header]: value } });
          assert.equal(res.status, 402, `${what} in ${header}`);
          const error = errorOf(res) ?? '';
          assert.match(error, /^invalid_payment_header: /, `${what} in ${header}`);
          assert.match(error, message, `${what} in ${header}`);
        }
      }
      assert.equal(hits.paid, paidHits);
    });

    it('answers "No matching payment requirements" when the payment is for another offer', async () => {
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

    it('honours Settlement-Overrides and strips it from the response', async () => {
      const res = await wrapFetchWithPayment(fetch, stack.client)(url('/metered'));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('settlement-overrides'), null);
      assert.equal(stack.ledger.settlements.at(-1)?.amount, '10000', '50% of 20000');
      assert.equal(getPaymentResponse(res)?.amount, '10000');
    });

    it('prices dynamic routes per request', async () => {
      const paris = required(await fetch(url('/city/Paris')));
      const rome = required(await fetch(url('/city/Rome')));
      if (paris.x402Version !== 2 || rome.x402Version !== 2) throw new Error('expected v2');
      assert.equal(paris.accepts[0]?.amount, '5000');
      assert.equal(paris.accepts[0]?.payTo, `${PAY_TO}-paris`);
      assert.equal(rome.accepts[0]?.amount, '4000');
      const res = await wrapFetchWithPayment(fetch, stack.client)(url('/city/Rome'));
      assert.equal(res.status, 200);
      assert.equal(stack.ledger.settlements.at(-1)?.amount, '4000');
      assert.equal(stack.ledger.settlements.at(-1)?.payTo, `${PAY_TO}-rome`);
    });

    it('re-sends a POST body on the paid retry (string and stream bodies)', async () => {
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

    it('never reaches a protected handler through path encoding tricks', async () => {
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

    it('accepts an x402 v1 payment (X-PAYMENT) and answers X-PAYMENT-RESPONSE', async () => {
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
    });

    it('pays once and does not loop when the server keeps answering 402', async () => {
      let payments = 0;
      const counting = {
        ...stack.client,
        async createPaymentPayload(pr: AnyPaymentRequired) {
          payments++;
          return stack.client.createPaymentPayload(pr);
        },
      };
      let sent = 0;
      const countingFetch: typeof fetch = (input, init) => {
        sent++;
        return fetch(input, init);
      };
      stack.ledger.failVerifyWith = 'invalid_test_ledger_signature';
      try {
        const res = await wrapFetchWithPayment(countingFetch, counting)(url('/paid'));
        assert.equal(res.status, 402);
        assert.equal(payments, 1);
        assert.equal(sent, 2);
      } finally {
        stack.ledger.failVerifyWith = undefined;
      }
    });
  });

  describe(`${name}: facilitator down`, () => {
    let stack: TestStack;
    let hits: Hits;
    let app: { url: string; close(): Promise<void> };
    before(async () => {
      stack = await createDownStack();
      hits = newHits();
      app = await start({ routes: testRoutes(), server: stack.server, options: {}, hits });
    });
    after(async () => {
      await app.close();
    });

    it('still answers unpaid requests with a decodable 402', async () => {
      const res = await fetch(`${app.url}/paid`);
      assert.equal(res.status, 402);
      const pr = required(res);
      if (pr.x402Version !== 2) throw new Error('expected v2');
      assert.equal(pr.accepts[0]?.amount, '10000');
      const dynamic = await fetch(`${app.url}/city/Oslo`);
      assert.equal(dynamic.status, 402);
    });

    it('answers a paid request 402 with the reason, never 500, and never runs the handler', async () => {
      const res = await wrapFetchWithPayment(fetch, stack.client)(`${app.url}/paid`);
      assert.equal(res.status, 402);
      assert.equal(errorOf(res), 'facilitator_unavailable');
      assert.equal(hits.paid, 0);
    });
  });
}
