import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainAddressKey, createFacilitator, type SchemeFacilitator } from '@x402kit/core';
import { evmChain } from '@x402kit/evm/chain-module';
import { tronChain } from '@x402kit/tron/chain-module';
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

  it('behind a trusted proxy, limits anonymous callers by the address the proxy appended, not by what they wrote', async () => {
    const service = serviceWith(
      { keys, anonymous: { allowed: true, rateLimitPerMinute: 1, trustProxy: true } },
      () => 0,
    );
    const from = (chain: string) => service.fetch(verify({ 'x-forwarded-for': chain }));
    assert.equal((await from('203.0.113.7')).status, 200);
    assert.equal((await from('203.0.113.8')).status, 200, 'another client has its own bucket');
    // a client cannot escape its bucket by prepending a fake address
    assert.equal((await from('198.51.100.1, 203.0.113.7')).status, 429);
    const untrusted = serviceWith({ keys, anonymous: { allowed: true, rateLimitPerMinute: 1 } }, () => 0);
    assert.equal((await untrusted.fetch(verify({ 'x-forwarded-for': '203.0.113.7' }))).status, 200);
    assert.equal(
      (await untrusted.fetch(verify({ 'x-forwarded-for': '203.0.113.8' }))).status,
      429,
      'without trustProxy the header is ignored: one socket, one bucket',
    );
  });

  it('matches TRON payTo allow-lists by address, not by spelling or case (the chain modules say how)', async () => {
    const payTo = 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz';
    const auth = createApiKeyAuth({
      keys: [{ key: 'tron-key-123', name: 'tron', payTo: [payTo] }],
      anonymous: { allowed: false },
      addressKey: (address) => chainAddressKey([evmChain, tronChain], address),
    });
    const request = (to: string) => ({
      principal: 'key:tron',
      endpoint: 'settle' as const,
      paymentPayload: {},
      paymentRequirements: { payTo: to, asset: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf' },
    });
    assert.equal((await auth.authorize(request(payTo))).ok, true);
    assert.equal((await auth.authorize(request('412c7536e3605d9c16a7a3d7b1898e529396a65c23'))).ok, true);
    assert.equal((await auth.authorize(request(payTo.toLowerCase()))).ok, false, 'Base58 is case-sensitive');
    assert.equal((await auth.authorize(request('TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy'))).ok, false);
  });

  it('accepts only the exact key: prefixes, extensions, case and same-length multi-byte look-alikes are 401', async () => {
    const service = serviceWith({ keys });
    const statusWith = async (key: string) => (await service.fetch(verify({ 'x-api-key': key }))).status;
    assert.equal(await statusWith('alpha-secret-key'), 200);
    // a raw timingSafeEqual would throw on these different byte lengths; digests make every
    // comparison 32 bytes against 32 bytes, so a wrong guess is a 401, never a crash
    for (const guess of [
      'alpha-secret-ke',
      'alpha-secret-keyy',
      'a',
      'ALPHA-SECRET-KEY',
      'alpha-secret-k\u00e9y', // same string length as the key, one more UTF-8 byte
      'alpha-secret-\u00ff\u00ff\u00ff',
      'x'.repeat(10_000),
    ]) {
      assert.equal(await statusWith(guess), 401, `key ${JSON.stringify(guess.slice(0, 40))}`);
    }
    // the matched entry is the right one: beta's payTo allow-list applies to beta only
    assert.equal(await statusWith('beta-secret-key'), 403);
  });

  it('keeps /health and /supported open', async () => {
    const service = serviceWith({ keys });
    assert.equal((await service.fetch(new Request('http://facilitator.test/health'))).status, 200);
    assert.equal((await service.fetch(new Request('http://facilitator.test/supported'))).status, 200);
  });
});
