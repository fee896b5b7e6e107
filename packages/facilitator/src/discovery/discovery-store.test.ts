import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type DiscoveryResource, parseDiscoveryQuery } from '@x402kit/core';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import { createFacilitatorService } from '../service.js';
import { createDiscoveryRoute } from './discovery-route.js';
import type { DiscoveryStore } from './discovery-store.js';
import { createPostgresDiscoveryStore } from './postgres-discovery-store.js';
import { createSqliteDiscoveryStore } from './sqlite-discovery-store.js';

const offer = (network: string, amount: string) => ({
  scheme: 'exact',
  network,
  amount,
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x1111111111111111111111111111111111111111',
  maxTimeoutSeconds: 60,
  extra: {},
});
const entry = (
  resource: string,
  at: number,
  accepts = [offer('eip155:84532', '1000')],
): DiscoveryResource => ({
  resource,
  type: 'http',
  x402Version: 2,
  accepts,
  lastUpdated: new Date(at).toISOString(),
  description: 'weather',
  extensions: { bazaar: { info: { input: { type: 'http', method: 'GET' } }, schema: {} } },
});
const query = (search = '') => parseDiscoveryQuery(new URLSearchParams(search));

/** The same behaviour from each database. */
function behaves(name: string, open: () => Promise<DiscoveryStore>) {
  describe(`discovery catalog (${name})`, () => {
    it('keeps one entry per resource, the offers merged, newest first, paged and filtered', async () => {
      const store = await open();
      try {
        await store.record(entry('https://a.example/weather/:city', 1_000));
        await store.record(entry('https://b.example/quote', 2_000, [offer('eip155:97', '5')]));
        // the same resource again: newer time, a second network, the first network's new price
        await store.record(
          entry('https://a.example/weather/:city', 3_000, [
            offer('eip155:84532', '2000'),
            offer('eip155:8453', '7'),
          ]),
        );
        const all = await store.list(query());
        assert.equal(all.total, 2);
        assert.deepEqual(
          all.items.map((i) => i.resource),
          ['https://a.example/weather/:city', 'https://b.example/quote'],
        );
        const a = all.items[0];
        assert.equal(a?.lastUpdated, new Date(3_000).toISOString());
        assert.deepEqual(
          a?.accepts.map((o) => [o.network, 'amount' in o ? o.amount : '']),
          [
            ['eip155:84532', '2000'],
            ['eip155:8453', '7'],
          ],
        );
        assert.deepEqual(a?.extensions, entry('', 0).extensions);
        assert.equal(a?.description, 'weather');

        const page = await store.list(query('limit=1&offset=1'));
        assert.deepEqual(
          page.items.map((i) => i.resource),
          ['https://b.example/quote'],
        );
        assert.equal(page.total, 2);
        assert.equal((await store.list(query('network=eip155:97'))).total, 1);
        assert.equal((await store.list(query('type=mcp'))).total, 0);
        assert.equal(
          (await store.list(query('payTo=0x1111111111111111111111111111111111111111&scheme=exact'))).total,
          2,
        );
        assert.equal((await store.list(query('extensions=sign-in-with-x'))).total, 0);
      } finally {
        await store.close();
      }
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'x402kit-discovery-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
behaves('SQLite', () => createSqliteDiscoveryStore({ path: join(dir, `catalog-${n++}.db`) }));

const schema = freshSchemaName('discovery');
let pgUrl = '';
after(async () => {
  if (pgUrl) await dropSchema(pgUrl, schema);
});
behaves('PostgreSQL', async () => {
  pgUrl = await testPostgresUrl();
  return createPostgresDiscoveryStore({ url: pgUrl, schema });
});

describe('GET /discovery/resources', () => {
  it('answers the list, and a 400 naming an unreadable parameter', async () => {
    const store = await createSqliteDiscoveryStore({ path: join(dir, 'route.db') });
    try {
      await store.record(entry('https://a.example/weather', 1_000));
      const service = createFacilitatorService({
        facilitator: {
          verify: async () => ({ isValid: false, invalidReason: 'unexpected_error' }),
          settle: async () => ({ success: false, transaction: '', network: 'eip155:84532' }),
          supported: async () => ({ kinds: [], extensions: [], signers: {} }),
        },
        routes: [createDiscoveryRoute(store)],
        // the list is public: a service that refuses everyone still answers it
        authenticate: async () => ({ ok: false, status: 401, reason: 'unauthorized', message: 'no key' }),
      });
      const ok = await service.fetch(new Request('http://f.local/discovery/resources?type=http&limit=5'));
      assert.equal(ok.status, 200);
      const body = (await ok.json()) as {
        x402Version: number;
        items: DiscoveryResource[];
        pagination: unknown;
      };
      assert.equal(body.x402Version, 2);
      assert.equal(body.items[0]?.resource, 'https://a.example/weather');
      assert.deepEqual(body.pagination, { limit: 5, offset: 0, total: 1 });
      const bad = await service.fetch(new Request('http://f.local/discovery/resources?offset=x'));
      assert.equal(bad.status, 400);
      assert.deepEqual(await bad.json(), {
        error: 'invalid_discovery_query',
        message: 'discovery query: "offset" must be an integer from 0 to 1000000000, got "x"',
      });
    } finally {
      await store.close();
    }
  });
});
