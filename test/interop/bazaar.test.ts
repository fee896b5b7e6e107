/**
 * Discovery (the `bazaar` extension) against `@x402/extensions` 2.27, on the devnet: our server's
 * discoverable routes and an official `@x402/express` route declared with the official
 * `declareDiscoveryExtension` are paid through our facilitator deployment (SQLite ledger); then the
 * official bazaar client (`withBazaar(new HTTPFacilitatorClient(...)).extensions.bazaar.listResources`)
 * and `x402kit discover` list them from our facilitator, schemas intact, one entry per route
 * template; a route without a declaration is not listed; unreadable query parameters are a 400.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { ExactEvmScheme as OfficialExactEvmServer } from '@x402/evm/exact/server';
import { paymentMiddleware as officialPaymentMiddleware } from '@x402/express';
import {
  bazaarResourceServerExtension,
  declareDiscoveryExtension,
  validateDiscoveryExtension,
  withBazaar,
} from '@x402/extensions/bazaar';
import { BAZAAR, declareDiscovery, decodePaymentRequiredHeader, listDiscoveryResources } from '@x402kit/core';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import {
  createFacilitatorApp,
  type FacilitatorApp,
  type FacilitatorServer,
  parseServiceConfig,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { CHAINS } from '@x402kit/testing/chains';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import { officialFetch } from '@x402kit/testing/official';
import { ourFetch, startOurPaidApi } from '@x402kit/testing/ours';
import { runCliToEnd } from '@x402kit/testing/spawn-cli';
import express from 'express';
import type { Hex } from 'viem';

const WEATHER = {
  input: { units: 'metric' },
  inputSchema: { properties: { units: { type: 'string', enum: ['metric', 'imperial'] } } },
  output: {
    example: { city: 'Paris', weather: 'sunny' },
    schema: { properties: { weather: { type: 'string' } }, required: ['weather'] },
  },
};
const REPORT = {
  bodyType: 'json' as const,
  input: { topic: 'rates' },
  inputSchema: { properties: { topic: { type: 'string' } }, required: ['topic'] },
  output: { example: { report: 'ok' } },
};

describe('bazaar discovery: our facilitator catalogs what it settled, read by @x402/extensions 2.27', () => {
  let devnet: Devnet;
  let dir = '';
  let app: FacilitatorApp | undefined;
  let facilitator: FacilitatorServer | undefined;
  let ours: Running | undefined;
  let theirs: Running | undefined;

  before(async () => {
    devnet = await startDevnet({ port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'x402kit-bazaar-'));
    const config = parseServiceConfig(
      {
        networks: { [devnet.network]: { rpc: [devnet.rpcUrl] } },
        signers: { privateKeys: [devnet.accounts.facilitator.privateKey] },
        ledger: { sqlite: { path: join(dir, 'ledger.db') } },
        instanceId: 'bazaar-test',
      },
      { chains: CHAINS },
    );
    app = await createFacilitatorApp(config, { log: () => {}, autoStart: false });
    facilitator = await startFacilitatorServer({ service: app.service, port: 0 });
    const accepts = {
      scheme: 'exact',
      network: devnet.network,
      payTo: devnet.accounts.payTo.address,
      price: '$0.001',
    };
    ours = await startOurPaidApi({
      facilitatorUrl: facilitator.url,
      routes: {
        'GET /weather/:city': { accepts, description: 'weather by city', discoverable: WEATHER },
        'POST /report': {
          accepts,
          description: 'a report',
          mimeType: 'application/json',
          discoverable: REPORT,
        },
        'GET /private': { accepts, description: 'not listed' },
      },
      serve(api) {
        api.use(express.json());
        api.get('/weather/:city', (req, res) => void res.json({ city: req.params.city, weather: 'sunny' }));
        api.post('/report', (_req, res) => void res.json({ report: 'ok' }));
        api.get('/private', (_req, res) => void res.json({ secret: true }));
      },
    });
    // the official server: @x402/express with the official declaration and server extension
    const network = devnet.network as `${string}:${string}`;
    const resourceServer = new x402ResourceServer(new HTTPFacilitatorClient({ url: facilitator.url }))
      .register(network, new OfficialExactEvmServer())
      .registerExtension(bazaarResourceServerExtension);
    const official = express();
    official.use(
      officialPaymentMiddleware(
        {
          'GET /quote': {
            accepts: { ...accepts, network },
            description: 'a stock quote',
            extensions: declareDiscoveryExtension({
              input: { symbol: 'ACME' },
              inputSchema: { properties: { symbol: { type: 'string' } }, required: ['symbol'] },
              output: { example: { symbol: 'ACME', price: 12.5 } },
            }),
          },
        },
        resourceServer,
      ),
    );
    official.get('/quote', (_req, res) => void res.json({ symbol: 'ACME', price: 12.5 }));
    theirs = await listenLocal(official);
  });

  after(async () => {
    await ours?.close();
    await theirs?.close();
    await facilitator?.close();
    await app?.close();
    await devnet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('our 402 declares the bazaar extension as the official helper does, completed with verb and template', async () => {
    assert.ok(ours);
    const unpaid = await fetch(`${ours.url}/weather/Paris`);
    assert.equal(unpaid.status, 402);
    const pr = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
    assert.equal(pr.x402Version, 2);
    const declared = pr.x402Version === 2 ? (pr.extensions?.[BAZAAR] as Record<string, unknown>) : undefined;
    assert.ok(declared);
    assert.equal(declared.routeTemplate, '/weather/:city');
    assert.equal((declared.info as { input: { method: string } }).input.method, 'GET');
    assert.deepEqual(validateDiscoveryExtension(declared as never), { valid: true });
    // the declaration itself is the official helper's JSON
    assert.deepEqual({ [BAZAAR]: declareDiscovery(WEATHER) }, declareDiscoveryExtension(WEATHER));
    assert.deepEqual({ [BAZAAR]: declareDiscovery(REPORT) }, declareDiscoveryExtension(REPORT));
  });

  it('lists the routes we paid for (once per template), not the undeclared one, to the official client', async () => {
    assert.ok(ours && theirs && facilitator);
    const pay = ourFetch(devnet.accounts.payer.privateKey as Hex);
    for (const path of ['/weather/Paris', '/weather/Rome', '/private']) {
      const res: Response = await pay(`${ours.url}${path}`);
      assert.equal(res.status, 200, `${path}: ${await res.text()}`);
    }
    const posted = await pay(`${ours.url}/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'rates' }),
    });
    assert.equal(posted.status, 200, await posted.text());
    const paidOfficial = await officialFetch(devnet.accounts.payer.privateKey as Hex)(`${theirs.url}/quote`);
    assert.equal(paidOfficial.status, 200, await paidOfficial.text());

    const client = withBazaar(new HTTPFacilitatorClient({ url: facilitator.url }));
    const listed = await client.extensions.bazaar.listResources({ type: 'http' });
    const byUrl = new Map(listed.items.map((item) => [item.resource, item]));
    assert.deepEqual(
      [...byUrl.keys()].sort(),
      [`${ours.url}/report`, `${ours.url}/weather/:city`, `${theirs.url}/quote`].sort(),
    );
    assert.deepEqual(listed.pagination, { limit: 20, offset: 0, total: 3 });
    assert.equal(listed.x402Version, 2);

    const weather = byUrl.get(`${ours.url}/weather/:city`);
    assert.ok(weather);
    assert.equal(weather.type, 'http');
    assert.equal(weather.description, 'weather by city');
    assert.ok(!Number.isNaN(Date.parse(weather.lastUpdated)));
    assert.equal(weather.accepts[0]?.payTo, devnet.accounts.payTo.address);
    const ext = weather.extensions?.[BAZAAR] as { info: unknown; schema: unknown; routeTemplate: string };
    assert.equal(ext.routeTemplate, '/weather/:city');
    assert.deepEqual(validateDiscoveryExtension(ext as never), { valid: true });
    assert.deepEqual((ext.info as { output: unknown }).output, {
      type: 'json',
      example: WEATHER.output.example,
    });

    const report = byUrl.get(`${ours.url}/report`);
    const reportExt = report?.extensions?.[BAZAAR] as
      | { info: { input: Record<string, unknown> } }
      | undefined;
    const reportInput = reportExt?.info.input;
    assert.deepEqual(reportInput, {
      type: 'http',
      method: 'POST',
      bodyType: 'json',
      body: { topic: 'rates' },
    });
    assert.equal(report?.mimeType, 'application/json');

    // the official server's declaration, as its own extension enriched it, arrives intact
    const quote = byUrl.get(`${theirs.url}/quote`);
    const expected = bazaarResourceServerExtension.enrichDeclaration?.(
      declareDiscoveryExtension({
        input: { symbol: 'ACME' },
        inputSchema: { properties: { symbol: { type: 'string' } }, required: ['symbol'] },
        output: { example: { symbol: 'ACME', price: 12.5 } },
      })[BAZAAR],
      { method: 'GET', adapter: { getPath: () => '/quote' }, routePattern: '/quote' } as never,
    );
    assert.deepEqual(quote?.extensions?.[BAZAAR], expected);
    assert.equal(quote?.description, 'a stock quote');

    // paging and filters
    const page = await client.extensions.bazaar.listResources({ type: 'http', limit: 2, offset: 2 });
    assert.equal(page.items.length, 1);
    assert.deepEqual(page.pagination, { limit: 2, offset: 2, total: 3 });
    const none = await client.extensions.bazaar.listResources({ type: 'mcp' });
    assert.equal(none.items.length, 0);
    const mine = await listDiscoveryResources(facilitator.url, {
      payTo: devnet.accounts.payTo.address.toLowerCase(),
    });
    assert.equal(mine.pagination.total, 3);

    const supported = await (await fetch(`${facilitator.url}/supported`)).json();
    assert.ok((supported as { extensions: string[] }).extensions.includes('bazaar'));
  });

  it('x402kit discover prints the catalog, and --json the facilitator answer', async () => {
    assert.ok(facilitator && ours);
    const text = await runCliToEnd(['discover', facilitator.url, '--type', 'http']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^3 resources listed \(showing 1-3\)/);
    assert.ok(text.stdout.includes(`GET ${ours.url}/weather/:city`), text.stdout);
    assert.ok(text.stdout.includes(`POST ${ours.url}/report`), text.stdout);
    assert.match(text.stdout, /pays: 0\.001 USDC \(exact on eip155:/);
    assert.match(text.stdout, /answers like: \{"city":"Paris","weather":"sunny"\}/);

    const json = await runCliToEnd(['discover', facilitator.url, '--limit', '1', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as {
      items: unknown[];
      pagination: { total: number; limit: number };
    };
    assert.equal(parsed.items.length, 1);
    assert.deepEqual(parsed.pagination, { limit: 1, offset: 0, total: 3 });

    const bad = await runCliToEnd(['discover', facilitator.url, '--limit', '500']);
    assert.equal(bad.code, 2);
    const down = await runCliToEnd(['discover', 'http://127.0.0.1:9']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach/);
  });

  it('answers unreadable query parameters with a 400 naming them, never a 500', async () => {
    assert.ok(facilitator);
    for (const query of [
      'limit=abc',
      'limit=0',
      'limit=101',
      'offset=-1',
      'offset=1.5',
      'type=ftp',
      'limit=1&limit=2',
      'type=',
      `network=${'x'.repeat(300)}`,
    ]) {
      const res: Response = await fetch(`${facilitator.url}/discovery/resources?${query}`);
      assert.equal(res.status, 400, query);
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, 'invalid_discovery_query', query);
      assert.match(body.message, /^discovery query: "(limit|offset|type|network)"/, query);
    }
    const post = await fetch(`${facilitator.url}/discovery/resources`, { method: 'POST' });
    assert.equal(post.status, 405);
    const other = await fetch(`${facilitator.url}/discovery/else`);
    assert.equal(other.status, 404);
    const unknown = await fetch(`${facilitator.url}/discovery/resources?color=blue`);
    assert.equal(unknown.status, 200);
  });
});
