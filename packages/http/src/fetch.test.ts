import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createX402Client,
  encodeBase64,
  encodePaymentResponseHeader,
  maxAmountPolicy,
  X402Error,
} from '@x402kit/core';
import { assertPaidOnce, usePayingClientApps } from '@x402kit/testing/paying-client-apps';
import { PAID_CONTENT } from '@x402kit/testing/test-stack';
import { getPaymentResponse, readPaymentRequired, wrapFetchWithPayment } from './fetch.js';

describe('wrapFetchWithPayment', () => {
  const env = usePayingClientApps({
    '/bad-header': () => new Response('{}', { status: 402, headers: { 'PAYMENT-REQUIRED': 'garbage!' } }),
    '/bad-v1': () => Response.json({ x402Version: 1, accepts: [] }, { status: 402 }),
  });

  it('returns non-402 responses untouched without paying', async () => {
    const calls = env.stack.ledger.calls.settle;
    const res = await wrapFetchWithPayment(fetch, env.stack.client)(`${env.app.url}/free`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'free');
    assert.equal(env.stack.ledger.calls.settle, calls);
  });

  it('pays a v2 402 once, retries once with PAYMENT-SIGNATURE and exposes the settlement', async () => {
    env.seen.length = 0;
    const res = await wrapFetchWithPayment(fetch, env.stack.client)(`${env.app.url}/paid`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), new RegExp(PAID_CONTENT));
    assertPaidOnce(env.seen, getPaymentResponse(res));
  });

  it('pays a v1 402 (JSON body) with X-PAYMENT and reads X-PAYMENT-RESPONSE', async () => {
    const res = await wrapFetchWithPayment(fetch, env.stack.client)(`${env.legacy.url}/paid`);
    assert.equal(res.status, 200);
    const settlement = getPaymentResponse(res);
    assert.equal(settlement?.success, true);
    assert.equal(settlement?.network, 'test-ledger');
  });

  it('re-sends URLSearchParams, ArrayBuffer and Request bodies', async () => {
    const pay = wrapFetchWithPayment(fetch, env.stack.client);
    const form = await pay(`${env.app.url}/echo`, {
      method: 'POST',
      body: new URLSearchParams({ a: '1', b: 'two' }),
    });
    assert.deepEqual(await form.json(), { content: PAID_CONTENT, echo: 'a=1&b=two' });
    const bytes = await pay(`${env.app.url}/echo`, {
      method: 'POST',
      body: new TextEncoder().encode('bytes!').buffer,
    });
    assert.deepEqual(await bytes.json(), { content: PAID_CONTENT, echo: 'bytes!' });
    const request = new Request(`${env.app.url}/echo`, { method: 'POST', body: 'from a Request' });
    const fromRequest = await pay(request);
    assert.deepEqual(await fromRequest.json(), { content: PAID_CONTENT, echo: 'from a Request' });
  });

  it('surfaces client-engine refusals as X402Error with the engine reason', async () => {
    const capped = createX402Client({
      schemes: [{ network: 'test:*', client: env.stack.ledger.client() }],
      policies: [maxAmountPolicy('0.001')],
    });
    await assert.rejects(wrapFetchWithPayment(fetch, capped)(`${env.app.url}/paid`), (e: unknown) => {
      return (
        e instanceof X402Error &&
        e.reason === 'no_acceptable_payment_option' &&
        /exceeds the cap/.test(e.message)
      );
    });
    const noScheme = createX402Client({ schemes: [] });
    await assert.rejects(wrapFetchWithPayment(fetch, noScheme)(`${env.app.url}/paid`), (e: unknown) => {
      return (
        e instanceof X402Error &&
        e.reason === 'no_acceptable_payment_option' &&
        /no registered scheme client/.test(e.message)
      );
    });
  });

  it('enforces maxPayments over the wrapper lifetime', async () => {
    const pay = wrapFetchWithPayment(fetch, env.stack.client, { maxPayments: 1 });
    assert.equal((await pay(`${env.app.url}/paid`)).status, 200);
    await assert.rejects(
      pay(`${env.app.url}/paid`),
      (e: unknown) => e instanceof X402Error && e.reason === 'no_acceptable_payment_option',
    );
    assert.equal((await pay(`${env.app.url}/free`)).status, 200);
  });

  it('does not pay again when the request already carried a payment header', async () => {
    env.seen.length = 0;
    const res = await wrapFetchWithPayment(fetch, env.stack.client)(`${env.app.url}/paid`, {
      headers: { 'PAYMENT-SIGNATURE': encodeBase64('{"x402Version":2}') },
    });
    assert.equal(res.status, 402);
    assert.equal(env.seen.length, 1);
  });

  it('returns a 402 that is not x402 as is, and throws on malformed x402 data', async () => {
    const plain = await wrapFetchWithPayment(fetch, env.stack.client)(`${env.app.url}/not-x402`);
    assert.equal(plain.status, 402);
    assert.equal(await plain.text(), 'upgrade your plan');
    await assert.rejects(
      wrapFetchWithPayment(fetch, env.stack.client)(`${env.app.url}/bad-header`),
      (e: unknown) => e instanceof X402Error && e.reason === 'invalid_payment_header',
    );
    await assert.rejects(
      wrapFetchWithPayment(fetch, env.stack.client)(`${env.app.url}/bad-v1`),
      (e: unknown) => e instanceof X402Error && e.reason === 'invalid_payment_requirements',
    );
  });

  it('lets onPaymentRequired decline, or retry with extra headers first', async () => {
    let offered = 0;
    const declined = await wrapFetchWithPayment(fetch, env.stack.client, {
      onPaymentRequired: (event) => {
        offered = event.paymentRequired.accepts.length;
        return false;
      },
    })(`${env.app.url}/paid`);
    assert.equal(declined.status, 402);
    assert.equal(offered, 1);
    env.seen.length = 0;
    const res = await wrapFetchWithPayment(fetch, env.stack.client, {
      onPaymentRequired: () => ({ headers: { 'x-proof': 'not enough' } }),
    })(`${env.app.url}/paid`);
    assert.equal(res.status, 200);
    assert.deepEqual(
      env.seen.map((r) => [r.headers.get('x-proof'), r.headers.has('PAYMENT-SIGNATURE')]),
      [
        [null, false],
        ['not enough', false],
        [null, true],
      ],
    );
  });

  it('reports payment activity through log, never the console', async () => {
    const levels: string[] = [];
    await wrapFetchWithPayment(fetch, env.stack.client, { log: (e) => levels.push(e.level) })(
      `${env.app.url}/paid`,
    );
    assert.ok(levels.includes('info'));
  });
});

describe('getPaymentResponse / readPaymentRequired', () => {
  const settlement = { success: true, transaction: '0x1', network: 'eip155:84532' };

  it('reads PAYMENT-RESPONSE, falls back to X-PAYMENT-RESPONSE, and ignores garbage', () => {
    const encoded = encodePaymentResponseHeader(settlement);
    assert.deepEqual(
      getPaymentResponse(new Response(null, { headers: { 'PAYMENT-RESPONSE': encoded } })),
      settlement,
    );
    assert.deepEqual(
      getPaymentResponse(new Response(null, { headers: { 'X-PAYMENT-RESPONSE': encoded } })),
      settlement,
    );
    assert.equal(getPaymentResponse(new Response(null)), undefined);
    assert.equal(
      getPaymentResponse(new Response(null, { headers: { 'PAYMENT-RESPONSE': 'zzz' } })),
      undefined,
    );
    assert.equal(
      getPaymentResponse(
        new Response(null, { headers: { 'PAYMENT-RESPONSE': encodeBase64('{"success":true}') } }),
      ),
      undefined,
    );
  });

  it('keeps the body readable after reading a v1 document from it', async () => {
    const body = JSON.stringify({
      x402Version: 1,
      error: 'X-PAYMENT header is required',
      accepts: [
        {
          scheme: 'exact',
          network: 'base-sepolia',
          maxAmountRequired: '1000',
          resource: 'https://x/y',
          description: '',
          mimeType: '',
          payTo: '0x1',
          maxTimeoutSeconds: 60,
          asset: '0x2',
          extra: {},
        },
      ],
    });
    const response = new Response(body, { status: 402 });
    const pr = await readPaymentRequired(response);
    assert.equal(pr?.x402Version, 1);
    assert.equal(await response.text(), body);
    assert.equal(await readPaymentRequired(new Response('not json', { status: 402 })), undefined);
    assert.equal(await readPaymentRequired(new Response(null, { status: 402 })), undefined);
  });
});
