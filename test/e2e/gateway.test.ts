/**
 * The gateway end to end on the devnet: a real upstream (node:http, counting its calls, streaming a
 * large body), our facilitator, and our paying fetch and the official `@x402/fetch` + `@x402/evm`
 * client paying through `@x402kit/http/gateway`. Balances are read on chain; an upstream failure
 * never settles; one payment buys one upstream call.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  type PaymentPayload,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmServer, signExactEvmAuthorization } from '@x402kit/evm';
import { createGateway, type Gateway, type GatewayConfig } from '@x402kit/http/gateway';
import { listen, type Served, serve } from '@x402kit/http/node';
import type { Running } from '@x402kit/testing/listen';
import { officialFetch } from '@x402kit/testing/official';
import { ourFetch, startOurFacilitator } from '@x402kit/testing/ours';
import { closedPortUrl, rawRequest } from '@x402kit/testing/test-stack';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** The large body: 6 MiB in 64 KiB chunks, each chunk a distinct byte pattern. */
const BIG_CHUNK = 64 * 1024;
const BIG_CHUNKS = 96;

function bigChunk(i: number): Buffer {
  return Buffer.alloc(BIG_CHUNK, i % 251);
}

function bigDigest(): string {
  const hash = createHash('sha256');
  for (let i = 0; i < BIG_CHUNKS; i++) hash.update(bigChunk(i));
  return hash.digest('hex');
}

type Upstream = { url: string; calls: Map<string, number>; server: Server; close(): Promise<void> };

/** The API behind the gateway: it knows nothing of x402. */
async function startUpstream(): Promise<Upstream> {
  const calls = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://upstream').pathname;
    calls.set(path, (calls.get(path) ?? 0) + 1);
    if (path === '/weather') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-upstream', 'yes');
      res.end(JSON.stringify({ weather: 'sunny', query: req.url }));
    } else if (path === '/headers') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.headers));
    } else if (path === '/big') {
      res.setHeader('content-type', 'application/octet-stream');
      let i = 0;
      const write = () => {
        while (i < BIG_CHUNKS) {
          if (!res.write(bigChunk(i++))) {
            res.once('drain', write);
            return;
          }
        }
        res.end();
      };
      write();
    } else if (path === '/gated') {
      // half the body, then the rest only once the test saw the paid answer's headers
      res.setHeader('content-type', 'application/octet-stream');
      res.write(Buffer.alloc(2 * 1024 * 1024, 1));
      void gate.then(() => res.end(Buffer.alloc(2 * 1024 * 1024, 2)));
    } else if (path === '/echo') {
      // the request body goes back as it arrives
      res.setHeader('content-type', req.headers['content-type'] ?? 'application/octet-stream');
      req.pipe(res);
    } else if (path === '/broken') {
      res.statusCode = 500;
      res.end('{"error":"boom"}');
    } else if (path === '/missing') {
      res.statusCode = 404;
      res.end('{"error":"no such thing"}');
    } else if (path === '/slow') {
      setTimeout(() => res.end('late'), 3_000);
    } else {
      res.setHeader('content-type', 'text/plain');
      res.end(`free ${path}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let openGate: () => void = () => {};
let gate = new Promise<void>((resolve) => {
  openGate = resolve;
});

let devnet: Devnet;
let facilitator: Running;
let upstream: Upstream;
let gateway: Gateway;
let served: Served;

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);
const callsTo = (path: string) => upstream.calls.get(path) ?? 0;

function gatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const accepts = {
    scheme: 'exact',
    network: devnet.network,
    payTo: devnet.accounts.payTo.address,
    price: '$0.001',
  };
  return {
    upstream: upstream.url,
    facilitator: { url: facilitator.url },
    upstreamTimeoutMs: 1_000,
    routes: {
      'GET /weather': { accepts, description: 'weather' },
      'GET /headers': { accepts },
      'GET /big': { accepts: { ...accepts, price: '$0.002' } },
      'GET /gated': { accepts },
      'POST /echo': { accepts },
      'GET /broken': { accepts },
      'GET /missing': { accepts },
      'GET /slow': { accepts },
    },
    ...overrides,
  };
}

async function startGateway(config: GatewayConfig): Promise<{ gateway: Gateway; served: Served }> {
  const g = createGateway({ config, schemes: [{ network: 'eip155:*', server: createExactEvmServer() }] });
  return { gateway: g, served: await listen(g.listener) };
}

/** A signed payment header for the gateway's offer on `path`. */
async function paymentFor(path: string, base = served.url): Promise<string> {
  const res = await fetch(`${base}${path}`);
  assert.equal(res.status, 402);
  const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  assert.equal(required.x402Version, 2);
  if (required.x402Version !== 2) throw new Error('unreachable');
  const accepted = required.accepts[0]!;
  const signed = await signExactEvmAuthorization(
    privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
    accepted,
  );
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: required.resource,
    accepted,
    payload: { signature: signed.signature, authorization: { ...signed.authorization } },
  };
  return encodePaymentSignatureHeader(payload);
}

describe('x402kit gateway (devnet, our facilitator, a real upstream)', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
    });
    upstream = await startUpstream();
    ({ gateway, served } = await startGateway(gatewayConfig()));
  });
  after(async () => {
    await served?.close();
    gateway?.close();
    await upstream?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('answers 402 unpaid without calling the upstream, like the middleware', async () => {
    const before = callsTo('/weather');
    const res = await fetch(`${served.url}/weather`);
    assert.equal(res.status, 402);
    const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    assert.equal(required.x402Version, 2);
    if (required.x402Version !== 2) return;
    assert.equal(required.accepts[0]?.amount, '1000');
    assert.equal(required.accepts[0]?.payTo, devnet.accounts.payTo.address);
    assert.equal(required.resource.url, `${served.url}/weather`);
    assert.equal(callsTo('/weather'), before);
  });

  it('our paying fetch pays; the upstream answer comes back with PAYMENT-RESPONSE and balances move', async () => {
    const payer = devnet.accounts.payer.address;
    const payTo = devnet.accounts.payTo.address;
    const [p0, t0] = [await balance(payer), await balance(payTo)];
    const before = callsTo('/weather');
    const res = await ourFetch(devnet.accounts.payer.privateKey as Hex)(`${served.url}/weather?city=Paris`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { weather: 'sunny', query: '/weather?city=Paris' });
    assert.equal(res.headers.get('x-upstream'), 'yes');
    const receipt = decodePaymentResponseHeader(res.headers.get('payment-response') ?? '');
    assert.equal(receipt.success, true);
    assert.match(receipt.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(callsTo('/weather'), before + 1);
    assert.equal(await balance(payer), p0 - 1000n);
    assert.equal(await balance(payTo), t0 + 1000n);
  });

  it('the official @x402/fetch + @x402/evm client pays through the gateway', async () => {
    const payTo = devnet.accounts.payTo.address;
    const t0 = await balance(payTo);
    const res = await officialFetch(devnet.accounts.payer.privateKey as Hex)(`${served.url}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).weather, 'sunny');
    assert.equal(decodePaymentResponseHeader(res.headers.get('payment-response') ?? '').success, true);
    assert.equal(await balance(payTo), t0 + 1000n);
  });

  it('forwards headers: hop-by-hop and the payment dropped, X-Forwarded-* added', async () => {
    // node:http, not fetch: fetch refuses to send a Connection header
    const res = await rawRequest(served.url, 'GET', '/headers', {
      'PAYMENT-SIGNATURE': await paymentFor('/headers'),
      'x-custom': 'kept',
      connection: 'keep-alive, x-dropped',
      'x-dropped': 'no',
      te: 'trailers',
    });
    assert.equal(res.status, 200, res.body);
    const seen = JSON.parse(res.body) as Record<string, string>;
    assert.equal(seen['x-custom'], 'kept');
    assert.equal(seen['x-dropped'], undefined, 'a header named in Connection is hop-by-hop');
    assert.equal(seen.te, undefined);
    assert.equal(seen['payment-signature'], undefined, 'the upstream never sees the payment');
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-host'], new URL(served.url).host);
    assert.equal(seen.host, new URL(upstream.url).host);
  });

  it('upstream 500: 502, no settlement, balance unchanged; upstream 404 passes through unsettled', async () => {
    const payer = devnet.accounts.payer.address;
    const p0 = await balance(payer);
    const res = await fetch(`${served.url}/broken`, {
      headers: { 'PAYMENT-SIGNATURE': await paymentFor('/broken') },
    });
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('payment-response'), null);
    const body = (await res.json()) as { error: string; message: string };
    assert.equal(body.error, 'upstream_error');
    assert.match(body.message, /answered 500; the payment was not settled/);
    const missing = await fetch(`${served.url}/missing`, {
      headers: { 'PAYMENT-SIGNATURE': await paymentFor('/missing') },
    });
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: 'no such thing' });
    assert.equal(missing.headers.get('payment-response'), null);
    assert.equal(await balance(payer), p0);
  });

  it('upstream too slow: 504 upstream_timeout, no settlement', async () => {
    const p0 = await balance(devnet.accounts.payer.address);
    const res = await fetch(`${served.url}/slow`, {
      headers: { 'PAYMENT-SIGNATURE': await paymentFor('/slow') },
    });
    assert.equal(res.status, 504);
    assert.equal((await res.json()).error, 'upstream_timeout');
    assert.equal(res.headers.get('payment-response'), null);
    assert.equal(await balance(devnet.accounts.payer.address), p0);
  });

  it('upstream down: 502 upstream_unreachable, no settlement; free routes too', async () => {
    const down = await startGateway(gatewayConfig({ upstream: await closedPortUrl() }));
    try {
      const p0 = await balance(devnet.accounts.payer.address);
      const res = await fetch(`${down.served.url}/weather`, {
        headers: { 'PAYMENT-SIGNATURE': await paymentFor('/weather', down.served.url) },
      });
      assert.equal(res.status, 502);
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, 'upstream_unreachable');
      assert.match(body.message, /not settled/);
      assert.equal(await balance(devnet.accounts.payer.address), p0);
      const free = await fetch(`${down.served.url}/free`);
      assert.equal(free.status, 502);
      assert.equal((await free.json()).error, 'upstream_unreachable');
    } finally {
      await down.served.close();
      down.gateway.close();
    }
  });

  it('one payment, one upstream call: 20 concurrent copies, then sequential replays', async () => {
    const header = await paymentFor('/weather');
    const before = callsTo('/weather');
    const p0 = await balance(devnet.accounts.payer.address);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${served.url}/weather`, { headers: { 'PAYMENT-SIGNATURE': header } }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 402).length, 19);
    for (let i = 0; i < 3; i++) {
      const again = await fetch(`${served.url}/weather`, { headers: { 'PAYMENT-SIGNATURE': header } });
      assert.equal(again.status, 402);
      assert.equal(
        decodePaymentRequiredHeader(again.headers.get('payment-required') ?? '').error,
        'duplicate_settlement',
      );
    }
    assert.equal(callsTo('/weather'), before + 1);
    assert.equal(await balance(devnet.accounts.payer.address), p0 - 1000n);
  });

  it('streams a 6 MiB paid answer intact, settled before its body', async () => {
    const res = await ourFetch(devnet.accounts.payer.privateKey as Hex)(`${served.url}/big`);
    assert.equal(res.status, 200);
    assert.equal(decodePaymentResponseHeader(res.headers.get('payment-response') ?? '').success, true);
    const hash = createHash('sha256');
    let size = 0;
    let pieces = 0;
    assert.ok(res.body);
    const reader = res.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      hash.update(value);
      size += value.length;
      pieces++;
    }
    assert.equal(size, BIG_CHUNK * BIG_CHUNKS);
    assert.equal(hash.digest('hex'), bigDigest());
    assert.ok(pieces > 1, 'the body arrived in pieces');
  });

  it('a long paid answer is settled and sent before the upstream finished it (not held whole)', async () => {
    gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    // the upstream sends 2 MiB and waits: a gateway that held the whole answer would never answer
    const res = await ourFetch(devnet.accounts.payer.privateKey as Hex)(`${served.url}/gated`);
    assert.equal(res.status, 200);
    assert.equal(decodePaymentResponseHeader(res.headers.get('payment-response') ?? '').success, true);
    openGate();
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(body.length, 4 * 1024 * 1024);
    assert.equal(body[0], 1);
    assert.equal(body[body.length - 1], 2);
  });

  it('the Web-standard handle() serves the same flow', async () => {
    const web = createGateway({
      config: gatewayConfig(),
      schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
    });
    const app = await serve((request, client) => web.handle(request, client));
    try {
      const unpaid = await fetch(`${app.url}/weather`);
      assert.equal(unpaid.status, 402);
      const before = callsTo('/weather');
      const res = await ourFetch(devnet.accounts.payer.privateKey as Hex)(`${app.url}/weather?via=web`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { weather: 'sunny', query: '/weather?via=web' });
      assert.equal(decodePaymentResponseHeader(res.headers.get('payment-response') ?? '').success, true);
      assert.equal(callsTo('/weather'), before + 1);
      const big = await ourFetch(devnet.accounts.payer.privateKey as Hex)(`${app.url}/big`);
      const bytes = Buffer.from(await big.arrayBuffer());
      assert.equal(createHash('sha256').update(bytes).digest('hex'), bigDigest());
      const free = await fetch(`${app.url}/free`);
      assert.equal(await free.text(), 'free /free');
      const broken = await fetch(`${app.url}/broken`, {
        headers: { 'PAYMENT-SIGNATURE': await paymentFor('/broken', app.url) },
      });
      assert.equal(broken.status, 502);
    } finally {
      await app.close();
      web.close();
    }
  });

  it('streams a 6 MiB request body to the upstream and back (paid POST)', async () => {
    const sent = Buffer.concat(Array.from({ length: BIG_CHUNKS }, (_, i) => bigChunk(i)));
    const res = await ourFetch(devnet.accounts.payer.privateKey as Hex)(`${served.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: sent,
    });
    assert.equal(res.status, 200);
    const back = Buffer.from(await res.arrayBuffer());
    assert.equal(back.length, sent.length);
    assert.equal(createHash('sha256').update(back).digest('hex'), bigDigest());
  });

  it('proxies unlisted routes free, or refuses them with unlistedRoutes: refuse', async () => {
    const free = await fetch(`${served.url}/anything/else?x=1`);
    assert.equal(free.status, 200);
    assert.equal(await free.text(), 'free /anything/else');
    const strict = await startGateway(gatewayConfig({ unlistedRoutes: 'refuse' }));
    try {
      const refused = await fetch(`${strict.served.url}/anything`);
      assert.equal(refused.status, 404);
      assert.equal((await refused.json()).error, 'gateway_route_not_found');
    } finally {
      await strict.served.close();
      strict.gateway.close();
    }
  });

  it('reload: new prices apply to new requests; an invalid config is refused and the old one stays', async () => {
    const config = gatewayConfig();
    gateway.reload({
      ...config,
      routes: {
        ...config.routes,
        'GET /weather': {
          accepts: {
            scheme: 'exact',
            network: devnet.network,
            payTo: devnet.accounts.payTo.address,
            price: '$0.005',
          },
        },
      },
    });
    const res = await fetch(`${served.url}/weather`);
    const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    assert.equal(required.x402Version === 2 ? required.accepts[0]?.amount : undefined, '5000');
    assert.throws(
      () => gateway.reload({ ...config, upstream: 'ftp://nowhere' }),
      /gateway config: upstream: expected an http\(s\) URL/,
    );
    assert.throws(
      () => gateway.reload({ ...config, routes: { 'GET nopath': config.routes['GET /weather']! } }),
      /must start with "\/"/,
    );
    const still = await fetch(`${served.url}/weather`);
    const kept = decodePaymentRequiredHeader(still.headers.get('payment-required') ?? '');
    assert.equal(kept.x402Version === 2 ? kept.accepts[0]?.amount : undefined, '5000');
    gateway.reload(config);
  });
});
