/**
 * Our Next.js adapter in a real Next 16 server (the example app in examples/next-app, run with
 * `next dev`, Turbopack) on the devnet: `@x402/fetch` and `@x402/axios` pay our `withX402` route
 * handler, `@x402/fetch` pays a page behind our `paymentMiddleware` in `proxy.ts`, our fetch pays
 * the official `@x402/next` route of the same app, and one payment header replayed in sequence
 * and at once runs our handler once. Balances move by exactly the price for every payment.
 *
 * Next resolves the packages as a user's app does, from their build (dist/): `npm run build` first
 * (`npm test` does).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { x402Client as OfficialAxiosClient, wrapAxiosWithPayment } from '@x402/axios';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import { decodePaymentRequiredHeader, decodePaymentResponseHeader } from '@x402kit/core';
import { officialFetch } from '@x402kit/testing/official';
import { ourFetch } from '@x402kit/testing/ours';
import axios from 'axios';
import { privateKeyToAccount } from 'viem/accounts';
import {
  type AdapterStack,
  assertPays,
  assertReplayGrantsOnce,
  fetchAnswer,
  PRICE,
  startAdapterStack,
} from './adapter-stack.js';
import { assertBuilt, type NextDev, startNextDev } from './next-dev.js';

let stack: AdapterStack;
let next: NextDev | undefined;
let url = '';

function handlerRuns(name: string): Promise<number> {
  if (!next) throw new Error('next dev is not running');
  return next.handlerRuns(name);
}

describe('our Next.js adapter in a real Next app on the devnet', { timeout: 600_000 }, () => {
  before(async () => {
    assertBuilt();
    stack = await startAdapterStack();
    next = await startNextDev({
      FACILITATOR_URL: stack.facilitator.url,
      X402_NETWORK: stack.devnet.network,
      PAY_TO: stack.devnet.accounts.payTo.address,
      PRICE: '$0.001',
    });
    url = next.url;
  });
  after(async () => {
    await next?.close();
    await stack?.close();
  });

  it('withX402 answers an unpaid request 402 without running the handler', async () => {
    const unpaid = await fetch(`${url}/api/weather`);
    assert.equal(unpaid.status, 402, next?.output());
    const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
    assert.equal(required.accepts[0]?.amount, PRICE.toString());
    assert.equal(await handlerRuns('weather'), 0);
  });

  it('@x402/fetch pays our withX402 route handler', async () => {
    await assertPays(stack, async () =>
      fetchAnswer(await officialFetch(stack.payerKey)(`${url}/api/weather`)),
    );
  });

  it('@x402/axios pays our withX402 route handler', async () => {
    const client = new OfficialAxiosClient();
    registerExactEvmScheme(client as never, { signer: privateKeyToAccount(stack.payerKey) });
    const api = wrapAxiosWithPayment(axios.create(), client);
    await assertPays(stack, async () => {
      const res = await api.get(`${url}/api/weather`);
      return { status: res.status, body: res.data, paymentResponse: res.headers['payment-response'] };
    });
  });

  it('our paymentMiddleware in proxy.ts charges a page (settled before the page is served)', async () => {
    const unpaid = await fetch(`${url}/premium`);
    assert.equal(unpaid.status, 402);
    assert.ok(unpaid.headers.get('payment-required'));
    const before = await stack.balances();
    const paid = await officialFetch(stack.payerKey)(`${url}/premium`);
    const html = await paid.text();
    assert.equal(paid.status, 200, html.slice(0, 500));
    assert.match(html, /premium content/);
    const receipt = decodePaymentResponseHeader(paid.headers.get('payment-response') ?? '');
    assert.equal(receipt.success, true);
    const afterPaid = await stack.balances();
    assert.equal(afterPaid.payer, before.payer - PRICE);
    assert.equal(afterPaid.payTo, before.payTo + PRICE);
  });

  it('our fetch pays the official @x402/next route beside ours in the same app', async () => {
    const unpaid = await fetch(`${url}/api/official-weather`);
    assert.equal(unpaid.status, 402);
    const runs = await handlerRuns('official-weather');
    await assertPays(stack, async () =>
      fetchAnswer(await ourFetch(stack.payerKey)(`${url}/api/official-weather`)),
    );
    assert.equal(await handlerRuns('official-weather'), runs + 1);
  });

  it('one payment header replayed in sequence and at once runs our handler once', async () => {
    await assertReplayGrantsOnce(stack, `${url}/api/weather`, () => handlerRuns('weather'), 4);
  });
});
