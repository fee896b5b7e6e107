/**
 * The startup check of a seller's routes against its facilitator's `/supported`, with a real
 * facilitator service on the devnet that serves only eip155:84532: a route on Base mainnet is
 * refused by `ready()` (naming route, scheme, network and facilitator), logged at creation, and
 * answers 503 instead of a 402 when the app skipped `ready()`, so no client signs a payment that
 * cannot be verified. `skipSupportedCheck` starts anyway; an unreachable facilitator makes
 * `ready()` fail and leaves the request path undecided (402, then `facilitator_unavailable`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  decodePaymentRequiredHeader,
  HeaderNames,
  type LogEvent,
  X402Error,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmServer } from '@x402kit/evm';
import { createPaymentHandler, getPaymentResponse, type RouteConfig } from '@x402kit/http';
import { type ExpressPaymentOptions, paymentMiddleware } from '@x402kit/http/express';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import { ourFetch, startOurFacilitator } from '@x402kit/testing/ours';
import express from 'express';
import type { Hex } from 'viem';

let devnet: Devnet;
let facilitator: Running;
const stops: Array<() => Promise<void>> = [];

before(async () => {
  devnet = await startDevnet({ port: 0 });
  facilitator = await startOurFacilitator({
    rpcUrl: devnet.rpcUrl,
    network: 'eip155:84532',
    privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
  });
});

after(async () => {
  for (const stop of stops.reverse()) await stop();
  await facilitator?.close();
  await devnet?.stop();
});

function routes(): Record<string, RouteConfig> {
  const payTo = devnet.accounts.payTo.address;
  return {
    'GET /weather': { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' } },
    'GET /mainnet': { accepts: { scheme: 'exact', network: 'eip155:8453', payTo, price: '$0.001' } },
  };
}

function resourceServer(url = facilitator.url) {
  return createResourceServer({
    facilitators: createHttpFacilitatorClient({ url }),
    schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
  });
}

/** An Express seller with our middleware (no `ready()` unless the test calls it). */
async function startSeller(options: ExpressPaymentOptions = {}, url = facilitator.url) {
  const paid = paymentMiddleware(routes(), resourceServer(url), options);
  const app = express();
  app.use(paid);
  let calls = 0;
  app.get('/weather', (_req, res) => {
    calls++;
    res.json({ weather: 'sunny' });
  });
  app.get('/mainnet', (_req, res) => {
    calls++;
    res.json({ weather: 'sunny on mainnet' });
  });
  const running = await listenLocal(app);
  stops.push(running.close);
  return { ...running, paid, handlerCalls: () => calls };
}

describe('startup check against the facilitator /supported', () => {
  it('ready() refuses a route whose network the facilitator does not serve, naming route, scheme, network and facilitator', async () => {
    const paid = paymentMiddleware(routes(), resourceServer(), { initialize: false });
    const error: unknown = await paid.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof X402Error, `expected an X402Error, got ${String(error)}`);
    assert.equal(error.reason, 'missing_facilitator');
    assert.match(error.message, /route "GET \/mainnet" offers exact on eip155:8453/);
    assert.match(
      error.message,
      new RegExp(`${facilitator.url.replace(/[.]/g, '\\.')} supports exact on eip155:84532`),
    );
    assert.match(error.message, /skipSupportedCheck/);
    assert.doesNotMatch(error.message, /GET \/weather/, 'the served route is not named');
    assert.deepEqual(error.details?.unsupported, [
      { route: 'GET /mainnet', scheme: 'exact', network: 'eip155:8453' },
    ]);

    // the same seller with only the served route is ready
    const ok = createPaymentHandler({
      routes: { 'GET /weather': routes()['GET /weather']! },
      server: resourceServer(),
      initialize: false,
    });
    await ok.ready();
  });

  it('without ready(): logged at creation, and the route answers 503, not a 402, so nobody signs; the served route pays', async () => {
    const events: LogEvent[] = [];
    const seller = await startSeller({ log: (event) => void events.push(event) });
    const unpaid = await fetch(`${seller.url}/mainnet`);
    assert.equal(unpaid.status, 503);
    assert.equal(unpaid.headers.get(HeaderNames.paymentRequired), null);
    const body = (await unpaid.json()) as { error: string; message: string };
    assert.equal(body.error, 'missing_facilitator');
    assert.match(body.message, /does not support exact on eip155:8453/);
    assert.ok(
      events.some(
        (e) => e.level === 'error' && /route "GET \/mainnet" offers exact on eip155:8453/.test(e.message),
      ),
      `an error names the route: ${JSON.stringify(events)}`,
    );

    // a paying client gets the 503 and signs nothing
    const payer = devnet.accounts.payer.address;
    const before = await readTokenBalance(devnet.rpcUrl, devnet.token.address, payer);
    const pay = ourFetch(devnet.accounts.payer.privateKey as Hex);
    const refused = await pay(`${seller.url}/mainnet`);
    assert.equal(refused.status, 503);
    assert.equal(getPaymentResponse(refused), undefined);

    // the served route is unaffected: a real payment goes through
    const paid = await pay(`${seller.url}/weather`);
    assert.equal(paid.status, 200, await paid.clone().text());
    assert.deepEqual(await paid.json(), { weather: 'sunny' });
    assert.equal(getPaymentResponse(paid)?.success, true);
    const afterBalance = await readTokenBalance(devnet.rpcUrl, devnet.token.address, payer);
    assert.equal(before - afterBalance, 1000n);
    assert.equal(seller.handlerCalls(), 1, 'only /weather ran');
  });

  it('skipSupportedCheck: ready() resolves and the route answers its 402 (the operator took the risk)', async () => {
    const seller = await startSeller({ skipSupportedCheck: true });
    await seller.paid.ready();
    const res = await fetch(`${seller.url}/mainnet`);
    assert.equal(res.status, 402);
    const required = decodePaymentRequiredHeader(res.headers.get(HeaderNames.paymentRequired) ?? '');
    assert.equal(required.x402Version === 2 ? required.accepts[0]?.network : undefined, 'eip155:8453');
  });

  it('an unreachable facilitator: ready() says which and why; requests are not refused for it (402, undecided)', async () => {
    const closed = await listenLocal((_req, res) => res.end());
    await closed.close(); // a port nobody listens on
    const seller = await startSeller({}, closed.url);
    const error: unknown = await seller.paid.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof X402Error);
    assert.equal(error.reason, 'facilitator_unavailable');
    assert.match(error.message, new RegExp(`cannot check the routes against the facilitator: ${closed.url}`));
    const res = await fetch(`${seller.url}/mainnet`);
    assert.equal(res.status, 402, 'undecided: the payment would fail at verify, not be charged');
  });
});
