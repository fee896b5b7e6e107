/**
 * Rate limits shared across instances: two facilitator deployments on one PostgreSQL database
 * (their ledger schema also holds the `rate_limits` table) share each API key's budget, so a
 * client spreading requests over both instances gets the configured rate, not twice it.
 * Needs PostgreSQL at 127.0.0.1:5432 (database `test`); without it the test fails saying so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createFacilitatorApp,
  createPostgresRateLimiter,
  type FacilitatorApp,
  parseServiceConfig,
} from '@x402kit/facilitator';
import { CHAINS } from '@x402kit/testing/chains';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';

const KEY = 'shared-budget-key-1';
const PER_MINUTE = 10;

describe('PostgreSQL-backed rate limits shared by two instances', () => {
  let url = '';
  const schema = freshSchemaName('rate_limits');
  const apps: FacilitatorApp[] = [];

  before(async () => {
    url = await testPostgresUrl();
    for (const [instanceId, key] of [
      ['limits-a', '11'],
      ['limits-b', '22'],
    ]) {
      const config = parseServiceConfig(
        {
          // no RPC call is made by these requests; each instance its own settlement key (one sender per key)
          networks: { 'eip155:84532': { rpc: ['http://127.0.0.1:9'] } },
          signers: { privateKeys: [`0x${(key ?? '').repeat(32)}`] },
          ledger: { postgres: { url, schema } },
          instanceId,
          apiKeys: [{ key: KEY, name: 'acme', rateLimitPerMinute: PER_MINUTE }],
          anonymous: { allowed: false },
        },
        { chains: CHAINS },
      );
      apps.push(await createFacilitatorApp(config, { log: () => {}, autoStart: false }));
    }
  });
  after(async () => {
    for (const app of apps) await app.close();
    if (url) await dropSchema(url, schema);
  });

  const get = (app: FacilitatorApp | undefined) => {
    assert.ok(app);
    return app.service.fetch(
      new Request('http://facilitator.local/payments?network=eip155:84532', {
        headers: { authorization: `Bearer ${KEY}` },
      }),
    );
  };

  it(`lets ${PER_MINUTE} requests a minute through across both instances, then answers 429`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE; i++) statuses.push((await get(apps[i % 2])).status);
    assert.deepEqual(statuses, Array(PER_MINUTE).fill(200));
    for (const app of apps) {
      const refused = await get(app);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      const body: unknown = await refused.json();
      assert.equal(
        typeof body === 'object' && body !== null ? Reflect.get(body, 'error') : undefined,
        'rate_limited',
      );
    }
  });

  it('keeps the budget under concurrency: 60 takes at once over two limiters, exactly 20 pass', async () => {
    const limiters = await Promise.all([0, 1].map(() => createPostgresRateLimiter({ url, schema })));
    try {
      const decisions = await Promise.all(
        Array.from({ length: 60 }, (_, i) => limiters[i % 2]?.take('key:concurrent', 20)),
      );
      assert.equal(decisions.filter((d) => d?.ok).length, 20);
    } finally {
      for (const limiter of limiters) await limiter.close();
    }
  });
});
