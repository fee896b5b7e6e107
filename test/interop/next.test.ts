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
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
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

const APP_DIR = fileURLToPath(new URL('../../examples/next-app/', import.meta.url));
const NEXT_BIN = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url));

let stack: AdapterStack;
let next: ChildProcess | undefined;
let url = '';
let output = '';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** `next dev` on a free port, resolved once it serves; the time it took is logged. */
async function startNext(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const started = performance.now();
  next = spawn(process.execPath, [NEXT_BIN, 'dev', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: APP_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  next.stdout?.on('data', collect);
  next.stderr?.on('data', collect);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (next.exitCode !== null) throw new Error(`next dev exited ${next.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`next dev did not answer in 180 s:\n${output}`);
    try {
      const res = await fetch(`${base}/api/runs`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.log(`next dev served its first route after ${Math.round(performance.now() - started)} ms`);
  return base;
}

async function handlerRuns(name: string): Promise<number> {
  const runs = (await (await fetch(`${url}/api/runs`)).json()) as Record<string, number>;
  return runs[name] ?? 0;
}

describe('our Next.js adapter in a real Next app on the devnet', { timeout: 600_000 }, () => {
  before(async () => {
    const built = fileURLToPath(new URL('../../packages/http/dist/next.js', import.meta.url));
    if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
    stack = await startAdapterStack();
    url = await startNext({
      FACILITATOR_URL: stack.facilitator.url,
      X402_NETWORK: stack.devnet.network,
      PAY_TO: stack.devnet.accounts.payTo.address,
      PRICE: '$0.001',
    });
  });
  after(async () => {
    if (next && next.exitCode === null) {
      next.kill('SIGTERM');
      await once(next, 'exit');
    }
    await stack?.close();
    // the dev build's output and the empty cache folder next dev makes: nothing of the run stays
    for (const dir of ['.next', 'cache']) rmSync(join(APP_DIR, dir), { recursive: true, force: true });
  });

  it('withX402 answers an unpaid request 402 without running the handler', async () => {
    const unpaid = await fetch(`${url}/api/weather`);
    assert.equal(unpaid.status, 402, output);
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
