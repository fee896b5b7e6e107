import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createResourceServer,
  decodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  type LogEvent,
  type SchemeServer,
  X402Error,
} from '@x402kit/core';
import { registerTestNetwork, TEST_ASSET, TEST_NETWORK, TEST_SCHEME } from '@x402kit/testing/test-ledger';
import { createTestStack, PAID_CONTENT, PAY_TO, type TestStack } from '@x402kit/testing/test-stack';
import { type FetchLike, getPaymentResponse, wrapFetchWithPayment } from './fetch.js';
import type { RoutesConfig } from './route-table.js';
import { createPaymentHandler, type PaymentHandlerOptions } from './server.js';
import { setSettlementOverrides } from './settlement-overrides.js';

const option = { scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: PAY_TO, price: '$0.01' };

/** A core wired to a tiny Web app, called without HTTP. */
function local(
  stack: TestStack,
  routes: RoutesConfig,
  app: (request: Request) => Promise<Response> | Response,
  options: Partial<PaymentHandlerOptions> = {},
) {
  const payments = createPaymentHandler({ routes, server: stack.server, ...options });
  const call: FetchLike = async (input, init) =>
    payments.handle(new Request(input, init), async (r) => app(r));
  return { payments, call, pay: wrapFetchWithPayment(call, stack.client) };
}

describe('createPaymentHandler', () => {
  it('refuses an unreadable path with 400 invalid_path instead of skipping payment', async () => {
    const stack = createTestStack();
    let reached = false;
    const { call } = local(stack, { '/paid/*': { accepts: option } }, () => {
      reached = true;
      return new Response(PAID_CONTENT);
    });
    for (const path of ['/paid/%ZZ', '/%E0%A4%A', '/paid/%00x', '/paid/a%2F..%2Fb']) {
      const res = await call(`http://127.0.0.1${path}`);
      assert.equal(res.status, 400, path);
      const body: unknown = await res.json();
      assert.ok(typeof body === 'object' && body !== null && 'error' in body && 'message' in body, path);
      assert.equal(body.error, 'invalid_path');
    }
    assert.equal(reached, false);
  });

  it('passes unprotected requests to next() untouched', async () => {
    const stack = createTestStack();
    const { call } = local(
      stack,
      { 'GET /paid': { accepts: option } },
      (r) => new Response(`${r.method} ok`, { headers: { 'x-a': '1' } }),
    );
    const res = await call('http://127.0.0.1/free', { method: 'POST', body: 'x' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'POST ok');
    assert.equal(res.headers.get('cache-control'), null);
  });

  it('keeps a cached fixed-price 402 correct per request URL, and a fixed resource constant', async () => {
    const stack = createTestStack();
    const { call } = local(
      stack,
      {
        '/a/*': { accepts: option },
        '/fixed': { accepts: option, resource: 'https://api.example.com/fixed' },
      },
      () => new Response('x'),
    );
    for (const path of ['/a/one?q=1', '/a/two', '/a/one?q=1', '/a/%C3%A9t%C3%A9']) {
      const pr = decodePaymentRequiredHeader(
        (await call(`http://127.0.0.1${path}`)).headers.get('PAYMENT-REQUIRED') ?? '',
      );
      assert.equal(pr.x402Version === 2 && pr.resource.url, `http://127.0.0.1${path}`);
    }
    const fixed = decodePaymentRequiredHeader(
      (await call('http://127.0.0.1/fixed?z=9')).headers.get('PAYMENT-REQUIRED') ?? '',
    );
    assert.equal(fixed.x402Version === 2 && fixed.resource.url, 'https://api.example.com/fixed');
  });

  it('reuses requirements of fixed-price routes, rebuilds dynamic ones, and honours requirementsTtlMs: 0', async () => {
    let parses = 0;
    const counting: SchemeServer = {
      scheme: TEST_SCHEME,
      parsePrice: (price) => {
        parses++;
        return { amount: typeof price === 'string' ? 10_000n : 1n, asset: TEST_ASSET };
      },
    };
    const stack = createTestStack();
    const server = createResourceServer({
      facilitators: stack.facilitator,
      schemes: [{ network: 'test:*', server: counting }],
    });
    const routes: RoutesConfig = {
      '/static': { accepts: option },
      '/dynamic': { accepts: { ...option, price: () => '$0.01' } },
    };
    const cached = createPaymentHandler({ routes, server, initialize: false });
    const app = async () => new Response('x');
    for (let i = 0; i < 3; i++) await cached.handle(new Request('http://h/static'), app);
    assert.equal(parses, 1);
    for (let i = 0; i < 3; i++) await cached.handle(new Request('http://h/dynamic'), app);
    assert.equal(parses, 4);
    const uncached = createPaymentHandler({ routes, server, initialize: false, requirementsTtlMs: 0 });
    for (let i = 0; i < 3; i++) await uncached.handle(new Request('http://h/static'), app);
    assert.equal(parses, 7);
  });

  it('keeps serving the last good offers when a refresh fails', async () => {
    let fail = false;
    const flaky: SchemeServer = {
      scheme: TEST_SCHEME,
      parsePrice: () => {
        if (fail) throw new X402Error('invalid_price', 'price feed down');
        return { amount: 10_000n, asset: TEST_ASSET };
      },
    };
    const stack = createTestStack();
    const server = createResourceServer({
      facilitators: stack.facilitator,
      schemes: [{ network: 'test:*', server: flaky }],
    });
    const warnings: string[] = [];
    const payments = createPaymentHandler({
      routes: { '/static': { accepts: option } },
      server,
      initialize: false,
      requirementsTtlMs: 1,
      log: (e) => warnings.push(e.message),
    });
    const app = async () => new Response('x');
    assert.equal((await payments.handle(new Request('http://h/static'), app)).status, 402);
    fail = true;
    await new Promise((r) => setTimeout(r, 5));
    const res = await payments.handle(new Request('http://h/static'), app);
    assert.equal(res.status, 402);
    assert.ok(res.headers.get('PAYMENT-REQUIRED'));
    assert.ok(warnings.some((w) => /price feed down/.test(w)));
  });

  it('uses the route body hooks for unpaid and settlement-failed 402s', async () => {
    const stack = createTestStack();
    const { call, pay } = local(
      stack,
      {
        '/paid': {
          accepts: option,
          unpaidResponseBody: (ctx) => ({ contentType: 'text/plain', body: `pay for ${ctx.path}` }),
          settlementFailedResponseBody: (_ctx, s) => ({
            contentType: 'application/json',
            body: { failed: s.errorReason },
          }),
        },
      },
      () => new Response(PAID_CONTENT),
    );
    const unpaid = await call('http://127.0.0.1/paid');
    assert.equal(unpaid.status, 402);
    assert.equal(unpaid.headers.get('content-type'), 'text/plain');
    assert.equal(await unpaid.text(), 'pay for /paid');
    stack.ledger.failSettleWith = 'nope';
    const failed = await pay('http://127.0.0.1/paid');
    assert.equal(failed.status, 402);
    assert.deepEqual(await failed.json(), { failed: 'nope' });
  });

  it('with v1: false, answers {} bodies and refuses v1 payments', async () => {
    const stack = createTestStack();
    const { call } = local(stack, { '/paid': { accepts: option } }, () => new Response(PAID_CONTENT), {
      v1: false,
    });
    const unpaid = await call('http://127.0.0.1/paid');
    assert.equal(await unpaid.text(), '{}');
    const v1 = await stack.client.createPaymentPayload({
      x402Version: 1,
      accepts: [
        {
          scheme: TEST_SCHEME,
          network: 'test-ledger',
          maxAmountRequired: '10000',
          resource: 'http://127.0.0.1/paid',
          description: '',
          mimeType: '',
          payTo: PAY_TO,
          maxTimeoutSeconds: 300,
          asset: TEST_ASSET,
          extra: { ledger: 'main' },
        },
      ],
    });
    const res = await call('http://127.0.0.1/paid', {
      headers: { 'X-PAYMENT': encodePaymentSignatureHeader(v1) },
    });
    assert.equal(res.status, 402);
    assert.match(
      decodePaymentRequiredHeader(res.headers.get('PAYMENT-REQUIRED') ?? '').error ?? '',
      /^invalid_x402_version/,
    );
  });

  it('keeps the v2 body for v1-only clients when no offer has a v1 network name', async () => {
    registerTestNetwork('test:nov1', 'no v1 name');
    const stack = createTestStack();
    const { call } = local(
      stack,
      { '/paid': { accepts: { ...option, network: 'test:nov1' } } },
      () => new Response('x'),
      { skipSupportedCheck: true, v1UnpaidBody: true }, // the test facilitator serves only the test network
    );
    const res = await call('http://127.0.0.1/paid');
    assert.equal(res.status, 402);
    // a v1 document cannot name the network: the body stays the header's v2 document
    assert.deepEqual(
      await res.json(),
      decodePaymentRequiredHeader(res.headers.get('payment-required') ?? ''),
    );
  });

  it('ready() refuses a route the facilitator does not serve (naming an in-process one by its index); the route answers 503, the others 402', async () => {
    registerTestNetwork('test:unserved', 'not served');
    const stack = createTestStack();
    let ran = 0;
    const { payments, call, pay } = local(
      stack,
      { '/paid': { accepts: option }, 'GET /other': { accepts: { ...option, network: 'test:unserved' } } },
      () => {
        ran++;
        return new Response(PAID_CONTENT);
      },
      { initialize: false },
    );
    await assert.rejects(
      payments.ready(),
      (error: unknown) =>
        error instanceof X402Error &&
        error.reason === 'missing_facilitator' &&
        error.message.includes(`route "GET /other" offers ${TEST_SCHEME} on test:unserved`) &&
        error.message.includes(`facilitator #1 supports ${TEST_SCHEME} on ${TEST_NETWORK}`),
    );
    const refused = await pay('http://127.0.0.1/other');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('payment-required'), null);
    assert.equal(((await refused.json()) as { error: string }).error, 'missing_facilitator');
    assert.deepEqual(stack.ledger.calls, { verify: 0, settle: 0 }, 'nothing was signed or verified');
    assert.equal((await call('http://127.0.0.1/paid')).status, 402);
    assert.equal(ran, 0, 'no handler ran');
  });

  it('answers 500 (not 402, not the handler) when requirements cannot be built, and logs why', async () => {
    const stack = createTestStack();
    const events: LogEvent[] = [];
    const { call } = local(
      stack,
      {
        '/throws': {
          accepts: {
            ...option,
            price: () => {
              throw new X402Error('invalid_price', 'no price today');
            },
          },
        },
        '/unknown-scheme': { accepts: { ...option, scheme: 'nope' } },
      },
      () => new Response(PAID_CONTENT),
      { log: (e) => events.push(e) },
    );
    const a = await call('http://127.0.0.1/throws');
    assert.equal(a.status, 500);
    assert.deepEqual(await a.json(), { error: 'invalid_price' });
    const b = await call('http://127.0.0.1/unknown-scheme');
    assert.equal(b.status, 500);
    assert.deepEqual(await b.json(), { error: 'missing_scheme' });
    assert.ok(events.some((e) => e.level === 'error' && /no price today/.test(e.message)));
    assert.ok(events.some((e) => e.level === 'error' && /unknown-scheme/.test(e.message)));
  });

  it('settles dollar overrides scaled by the asset decimals', async () => {
    const stack = createTestStack();
    const { pay } = local(stack, { '/paid': { accepts: option } }, () => {
      const response = new Response(PAID_CONTENT);
      setSettlementOverrides(response.headers, { amount: '$0.005' });
      return response;
    });
    const res = await pay('http://127.0.0.1/paid');
    assert.equal(res.status, 200);
    assert.equal(getPaymentResponse(res)?.amount, '5000');
    assert.equal(stack.ledger.settlements.at(-1)?.amount, '5000');
  });

  it('answers 500 with no settlement and no handler output when an override is invalid', async () => {
    const stack = createTestStack();
    const { pay } = local(stack, { '/paid': { accepts: option } }, () => {
      const response = new Response(PAID_CONTENT);
      setSettlementOverrides(response, { amount: '150%' });
      return response;
    });
    const res = await pay('http://127.0.0.1/paid');
    assert.equal(res.status, 500);
    assert.ok(!(await res.text()).includes(PAID_CONTENT));
    assert.equal(stack.ledger.calls.settle, 0);
  });

  it('propagates a handler exception without settling', async () => {
    const stack = createTestStack();
    const { pay } = local(stack, { '/paid': { accepts: option } }, () => {
      throw new Error('handler exploded');
    });
    await assert.rejects(pay('http://127.0.0.1/paid'), /handler exploded/);
    assert.equal(stack.ledger.calls.settle, 0);
  });

  it('gives route functions the request context', async () => {
    const stack = createTestStack();
    let seen:
      | { method: string; path: string; params: Record<string, string>; url: string; header: string | null }
      | undefined;
    const { call } = local(
      stack,
      {
        'POST /items/[id]': {
          accepts: {
            ...option,
            price: (ctx) => {
              seen = {
                method: ctx.method,
                path: ctx.path,
                params: { ...ctx.params },
                url: ctx.url,
                header: ctx.request.headers.get('x-q'),
              };
              return '$0.01';
            },
          },
        },
      },
      () => new Response('x'),
    );
    const res = await call('http://127.0.0.1/Items/42?z=1', { method: 'POST', headers: { 'x-q': 'v' } });
    assert.equal(res.status, 402);
    assert.deepEqual(seen, {
      method: 'POST',
      path: '/Items/42',
      params: { id: '42' },
      url: 'http://127.0.0.1/Items/42?z=1',
      header: 'v',
    });
  });
});
