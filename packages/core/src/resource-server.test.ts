import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createFacilitator } from './facilitator.js';
import { createHttpFacilitatorClient } from './facilitator-client.js';
import { parsePrice } from './money.js';
import type { PaymentPayload } from './protocol/schemas.js';
import { createResourceServer } from './resource-server.js';
import type { SchemeFacilitator, SchemeServer } from './scheme.js';

const PAY_TO = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

const schemeServer: SchemeServer = {
  scheme: 'exact',
  parsePrice: (price, network) => parsePrice(price, network),
  enhanceRequirements: (r, ctx) =>
    ctx.supportedKind?.extra ? { ...r, extra: { ...r.extra, ...ctx.supportedKind.extra } } : r,
};

function engine() {
  const settled: string[] = [];
  const scheme: SchemeFacilitator = {
    scheme: 'exact',
    family: 'eip155:*',
    getSigners: () => ['0xFac'],
    getExtra: () => ({ feeHint: '7' }),
    verify: async (p) =>
      p.payload.ok
        ? { isValid: true, payer: '0xP' }
        : { isValid: false, invalidReason: 'invalid_exact_evm_signature', payer: '0xP' },
    settle: async (_p, r) => {
      settled.push(r.amount);
      return { success: true, transaction: '0xtx', network: r.network, payer: '0xP' };
    },
  };
  return {
    facilitator: createFacilitator({ schemes: [{ networks: 'eip155:84532', facilitator: scheme }] }),
    settled,
  };
}

describe('createResourceServer', () => {
  it('builds deterministic requirements with facilitator extras and matches by deep equality', async () => {
    const { facilitator } = engine();
    const server = createResourceServer({
      facilitators: facilitator,
      schemes: [{ network: 'eip155:*', server: schemeServer }],
    });
    await server.initialize();
    const options = [
      { scheme: 'exact', network: 'base-sepolia', payTo: (ctx: { who: string }) => ctx.who, price: '$0.001' },
    ];
    const a = await server.buildRequirements(options, { who: PAY_TO });
    assert.deepEqual(a, [
      {
        scheme: 'exact',
        network: 'eip155:84532',
        amount: '1000',
        asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
        payTo: PAY_TO,
        maxTimeoutSeconds: 300,
        extra: { name: 'USDC', version: '2', feeHint: '7' },
      },
    ]);
    const b = await server.buildRequirements(options, { who: PAY_TO });
    const payload: PaymentPayload = {
      x402Version: 2,
      accepted: JSON.parse(JSON.stringify(a[0])),
      payload: {},
    };
    assert.equal(server.findMatchingRequirements(b, payload), b[0]);
    assert.equal(
      server.findMatchingRequirements(b, { ...payload, accepted: { ...payload.accepted, amount: '999' } }),
      undefined,
    );
    assert.equal(
      server.findMatchingRequirements(b, {
        ...payload,
        accepted: { ...payload.accepted, payTo: PAY_TO.toLowerCase() },
      }),
      undefined,
    );
    assert.equal(
      server.findMatchingRequirements(b, {
        x402Version: 1,
        scheme: 'exact',
        network: 'base-sepolia',
        payload: {},
      }),
      b[0],
    );
  });

  it('offers the registered CAIP-2 id when a route names a network by an alias', async () => {
    const server = createResourceServer({
      facilitators: engine().facilitator,
      schemes: [{ network: 'solana:*', server: { scheme: 'exact', parsePrice: (p, n) => parsePrice(p, n) } }],
      supportedWaitMs: 0,
    });
    const [offer] = await server.buildRequirements(
      [{ scheme: 'exact', network: 'solana:devnet', payTo: 'payee', price: '$0.001' }],
      {},
    );
    assert.equal(offer?.network, 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1');
    assert.equal(offer?.asset, '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU');
  });

  it('verifies, then settles the overridden amount', async () => {
    const { facilitator, settled } = engine();
    const server = createResourceServer({
      facilitators: facilitator,
      schemes: [{ network: 'eip155:*', server: schemeServer }],
    });
    const [req] = await server.buildRequirements(
      [{ scheme: 'exact', network: 'eip155:84532', payTo: PAY_TO, price: '$0.002' }],
      {},
    );
    const payload: PaymentPayload = { x402Version: 2, accepted: req!, payload: { ok: true } };
    assert.deepEqual(await server.verify(payload, req!), { isValid: true, payer: '0xP' });
    assert.equal(
      (await server.verify({ ...payload, payload: {} }, req!)).invalidReason,
      'invalid_exact_evm_signature',
    );
    const result = await server.settle(payload, req!, { amount: '1500' });
    assert.equal(result.success, true);
    assert.deepEqual(settled, ['1500']);
  });

  it('keeps serving requirements when the facilitator is down, and reports it on verify', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const server = createResourceServer({
      facilitators: createHttpFacilitatorClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 1000 }),
      schemes: [{ network: 'eip155:*', server: schemeServer }],
    });
    await server.initialize();
    const [req] = await server.buildRequirements(
      [{ scheme: 'exact', network: 'eip155:84532', payTo: PAY_TO, price: '$0.001' }],
      {},
    );
    assert.equal(req?.amount, '1000');
    const v = await server.verify({ x402Version: 2, accepted: req!, payload: {} }, req!);
    assert.equal(v.isValid, false);
    assert.equal(v.invalidReason, 'facilitator_unavailable');
    assert.match(v.invalidMessage ?? '', /unreachable/);
    const s = await server.settle({ x402Version: 2, accepted: req!, payload: {} }, req!);
    assert.deepEqual([s.success, s.errorReason, s.transaction], [false, 'facilitator_unavailable', '']);
  });

  it('retries a facilitator that answers 429, then reads its /supported', async () => {
    let hits = 0;
    const { facilitator } = engine();
    const http = createServer(async (_req, res) => {
      hits++;
      if (hits === 1) {
        res.writeHead(429, { 'retry-after': '0' }).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(await facilitator.supported()));
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const client = createHttpFacilitatorClient({
        url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`,
        bearerToken: 't',
      });
      const supported = await client.supported();
      assert.equal(hits, 2);
      assert.equal(supported.kinds[0]?.network, 'eip155:84532');
    } finally {
      http.close();
    }
  });
});

describe('createResourceServer with a facilitator that never answers', () => {
  it('builds offers within supportedWaitMs instead of waiting for the client timeout', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const hang = createServer(() => {
      /* accept the request, never answer */
    });
    hang.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    try {
      const server = createResourceServer({
        facilitators: createHttpFacilitatorClient({
          url: `http://127.0.0.1:${(hang.address() as AddressInfo).port}`,
        }),
        schemes: [{ network: 'eip155:*', server: schemeServer }],
        supportedWaitMs: 200,
      });
      const t0 = Date.now();
      const [req] = await server.buildRequirements(
        [{ scheme: 'exact', network: 'eip155:84532', payTo: PAY_TO, price: '$0.001' }],
        {},
      );
      assert.equal(req?.amount, '1000');
      assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
    }
  });
});

describe('createResourceServer per-402 extensions', () => {
  it('adds a scheme extension on every call and reports the offers as uncacheable', async () => {
    const { facilitator } = engine();
    let n = 0;
    const dynamic: SchemeServer = {
      ...schemeServer,
      paymentRequiredExtensions: (offered) => ({ ctx: { info: { n: ++n, count: offered.length } } }),
    };
    const server = createResourceServer({
      facilitators: facilitator,
      schemes: [{ network: 'eip155:*', server: dynamic }],
    });
    const accepts = await server.buildRequirements(
      [{ scheme: 'exact', network: 'eip155:84532', payTo: PAY_TO, price: '$0.001' }],
      {},
    );
    assert.equal(server.hasDynamicExtensions(accepts), true);
    const a = server.createPaymentRequired(
      accepts,
      { url: 'http://x' },
      { extensions: { bazaar: { info: {} } } },
    );
    const b = server.createPaymentRequired(accepts, { url: 'http://x' });
    assert.deepEqual(a.extensions, { bazaar: { info: {} }, ctx: { info: { n: 1, count: 1 } } });
    assert.deepEqual(b.extensions, { ctx: { info: { n: 2, count: 1 } } });
    const plain = createResourceServer({
      facilitators: facilitator,
      schemes: [{ network: 'eip155:*', server: schemeServer }],
    });
    assert.equal(plain.hasDynamicExtensions(accepts), false);
    assert.equal(plain.createPaymentRequired(accepts, { url: 'http://x' }).extensions, undefined);
  });
});

describe('createResourceServer: settlement pending', () => {
  it('remembers a pending settlement with its attempt, for exactly one retry of the same payload', async () => {
    let verifies = 0;
    let settles = 0;
    const scheme: SchemeFacilitator = {
      scheme: 'exact',
      family: 'eip155:*',
      getSigners: () => ['0xFac'],
      verify: async () => {
        verifies++;
        return { isValid: true, payer: '0xP' };
      },
      settle: async (_p, r) => {
        settles++;
        return settles === 1
          ? {
              success: false,
              errorReason: 'settlement_pending',
              transaction: '0xtx',
              network: r.network,
              payer: '0xP',
            }
          : { success: true, transaction: '0xtx', network: r.network, payer: '0xP' };
      },
    };
    const server = createResourceServer({
      facilitators: createFacilitator({ schemes: [{ networks: 'eip155:84532', facilitator: scheme }] }),
      schemes: [{ network: 'eip155:*', server: schemeServer }],
    });
    const [requirements] = await server.buildRequirements(
      [{ scheme: 'exact', network: 'eip155:84532', payTo: PAY_TO, price: '$0.001' }],
      {},
    );
    assert.ok(requirements);
    const payload: PaymentPayload = { x402Version: 2, accepted: requirements, payload: { n: 1 } };
    assert.equal(
      (await server.verify(payload, requirements, { attempt: 'att_first_request' })).isValid,
      true,
    );
    const first = await server.settle(payload, requirements, { attempt: 'att_first_request' });
    assert.equal(first.errorReason, 'settlement_pending');
    assert.equal(server.isSettlementPending(payload, requirements), true);
    // the same payment, keys in another order: still recognized, and taken by exactly one retry
    const reordered: PaymentPayload = { payload: { n: 1 }, accepted: requirements, x402Version: 2 };
    assert.deepEqual(server.takePending(reordered, requirements), {
      attempt: 'att_first_request',
      payer: '0xP',
    });
    assert.equal(server.takePending(payload, requirements), undefined, 'a concurrent copy finds nothing');
    assert.equal(
      (await server.settle(reordered, requirements, { attempt: 'att_first_request' })).success,
      true,
    );
    assert.equal(verifies, 1);
    assert.equal(server.isSettlementPending(payload, requirements), false);
    // another payload is verified as usual
    await server.verify({ ...payload, payload: { n: 2 } }, requirements);
    assert.equal(verifies, 2);
  });
});
