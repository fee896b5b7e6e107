import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFacilitator, type SchemeFacilitator } from '@x402kit/core';
import { type ApiKeyAuthOptions, createApiKeyAuth } from './api-key-auth.js';
import { createRateLimiter } from './rate-limiter.js';
import { createFacilitatorService } from './service.js';

const PAY_TO = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const ASSET = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const requirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1000',
  asset: ASSET,
  payTo: PAY_TO,
  maxTimeoutSeconds: 300,
  extra: { name: 'USDC', version: '2' },
};
const body = JSON.stringify({
  x402Version: 2,
  paymentPayload: { x402Version: 2, accepted: requirements, payload: { signature: '0x01' } },
  paymentRequirements: requirements,
});

const scheme: SchemeFacilitator = {
  scheme: 'exact',
  family: 'eip155:*',
  getSigners: () => ['0x90F79bf6EB2c4f870365E785982E1f101E93b906'],
  async verify() {
    return { isValid: true, payer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' };
  },
  async settle(_p, r) {
    return { success: true, transaction: `0x${'ab'.repeat(32)}`, network: r.network };
  },
};

function serviceWith(options: Partial<ApiKeyAuthOptions>, now?: () => number) {
  const auth = createApiKeyAuth({
    keys: [],
    anonymous: { allowed: false },
    ...options,
    ...(now ? { limiter: createRateLimiter({ now }) } : {}),
  });
  const facilitator = createFacilitator({ schemes: [{ networks: 'eip155:84532', facilitator: scheme }] });
  return createFacilitatorService({ facilitator, ...auth });
}

const verify = (headers: Record<string, string> = {}) =>
  new Request('http://facilitator.test/verify', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

async function errorOf(response: Response): Promise<unknown> {
  const parsed: unknown = await response.json();
  return typeof parsed === 'object' && parsed !== null && 'error' in parsed ? parsed.error : undefined;
}

describe('createApiKeyAuth', () => {
  const keys = [
    { key: 'alpha-secret-key', name: 'alpha' },
    { key: 'beta-secret-key', name: 'beta', payTo: ['0x0000000000000000000000000000000000000001'] },
    { key: 'gamma-secret-key', name: 'gamma', assets: [ASSET.toLowerCase()], rateLimitPerMinute: 2 },
  ];

  it('answers 401 unauthorized without a key or with an unknown key when anonymous access is off', async () => {
    const service = serviceWith({ keys });
    const missing = await service.fetch(verify());
    assert.equal(missing.status, 401);
    assert.equal(await errorOf(missing), 'unauthorized');
    const unknown = await service.fetch(verify({ authorization: 'Bearer nope-nope-nope' }));
    assert.equal(unknown.status, 401);
  });

  it('accepts Authorization: Bearer and X-API-KEY', async () => {
    const service = serviceWith({ keys });
    assert.equal((await service.fetch(verify({ authorization: 'Bearer alpha-secret-key' }))).status, 200);
    assert.equal((await service.fetch(verify({ 'x-api-key': 'alpha-secret-key' }))).status, 200);
  });

  it('answers 403 forbidden when the payTo or asset allow-list excludes the payment', async () => {
    const service = serviceWith({ keys });
    const refused = await service.fetch(verify({ 'x-api-key': 'beta-secret-key' }));
    assert.equal(refused.status, 403);
    const parsed: unknown = await refused.json();
    assert.ok(typeof parsed === 'object' && parsed !== null && 'message' in parsed);
    assert.equal('error' in parsed ? parsed.error : undefined, 'forbidden');
    assert.match(String(parsed.message), /may not pay/);
    // gamma allows the asset (any case)
    assert.equal((await service.fetch(verify({ 'x-api-key': 'gamma-secret-key' }))).status, 200);
  });

  it('answers 429 rate_limited with Retry-After past a key limit, and refills', async () => {
    let clock = 0;
    const service = serviceWith({ keys }, () => clock);
    const call = () => service.fetch(verify({ 'x-api-key': 'gamma-secret-key' }));
    assert.equal((await call()).status, 200);
    assert.equal((await call()).status, 200);
    const limited = await call();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '30');
    assert.equal(await errorOf(limited), 'rate_limited');
    clock += 30_000;
    assert.equal((await call()).status, 200);
  });

  it('allows anonymous callers when configured, with their own limit', async () => {
    const service = serviceWith({ keys, anonymous: { allowed: true, rateLimitPerMinute: 1 } }, () => 0);
    assert.equal((await service.fetch(verify())).status, 200);
    assert.equal((await service.fetch(verify())).status, 429);
    // a key is not limited by the anonymous bucket
    assert.equal((await service.fetch(verify({ 'x-api-key': 'alpha-secret-key' }))).status, 200);
  });

  it('keeps /health and /supported open', async () => {
    const service = serviceWith({ keys });
    assert.equal((await service.fetch(new Request('http://facilitator.test/health'))).status, 200);
    assert.equal((await service.fetch(new Request('http://facilitator.test/supported'))).status, 200);
  });
});
