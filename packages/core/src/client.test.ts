import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowAssetsPolicy,
  allowNetworksPolicy,
  cheapest,
  combineSelectors,
  createX402Client,
  maxAmountPolicy,
  preferNetworks,
  preferSchemes,
} from './client.js';
import type { Offer } from './payment-policy.js';
import { X402Error } from './protocol/errors.js';
import type { PaymentRequired, PaymentRequirements } from './protocol/schemas.js';
import type { SchemeClient } from './scheme.js';

const USDC = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const offer = (over: Partial<PaymentRequirements> = {}): PaymentRequirements => ({
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1000',
  asset: USDC,
  payTo: '0xB',
  maxTimeoutSeconds: 60,
  extra: { name: 'USDC', version: '2' },
  ...over,
});
const required = (accepts: PaymentRequirements[], extensions?: Record<string, unknown>): PaymentRequired => ({
  x402Version: 2,
  resource: { url: 'http://127.0.0.1/x' },
  accepts,
  ...(extensions ? { extensions } : {}),
});

function signingScheme(): SchemeClient & { seen: PaymentRequirements[] } {
  const seen: PaymentRequirements[] = [];
  return {
    scheme: 'exact',
    seen,
    async createPaymentPayload(r) {
      seen.push(r);
      return {
        payload: { signedAmount: r.amount },
        extensions: { 'payment-identifier': { info: { id: 'pay_0123456789abcdef' } } },
      };
    },
  };
}

describe('createX402Client', () => {
  it('echoes the chosen offer verbatim and merges extensions, keeping the declared info fields', async () => {
    const scheme = signingScheme();
    const client = createX402Client({ schemes: [{ network: 'eip155:*', client: scheme }] });
    const pr = required([offer({ scheme: 'upto' }), offer()], {
      'payment-identifier': { info: { required: true }, schema: { type: 'object' } },
    });
    const p = await client.createPaymentPayload(pr);
    assert.equal(p.x402Version, 2);
    if (p.x402Version !== 2) return;
    assert.equal(p.accepted, pr.accepts[1]);
    assert.deepEqual(p.resource, pr.resource);
    assert.deepEqual(p.extensions, {
      'payment-identifier': {
        info: { required: true, id: 'pay_0123456789abcdef' },
        schema: { type: 'object' },
      },
    });
  });

  it('pays v1 402s with a v1 payload', async () => {
    const client = createX402Client({ schemes: [{ network: 'eip155:*', client: signingScheme() }] });
    const p = await client.createPaymentPayload({
      x402Version: 1,
      accepts: [
        {
          scheme: 'exact',
          network: 'base-sepolia',
          maxAmountRequired: '1000',
          resource: 'http://x',
          description: '',
          mimeType: '',
          payTo: '0xB',
          maxTimeoutSeconds: 60,
          asset: USDC,
        },
      ],
    });
    assert.deepEqual(p, {
      x402Version: 1,
      scheme: 'exact',
      network: 'base-sepolia',
      payload: { signedAmount: '1000' },
    });
  });

  it('refuses offers above the cap, explaining why', () => {
    const client = createX402Client({
      schemes: [{ network: 'eip155:*', client: signingScheme() }],
      policies: [maxAmountPolicy('0.0005')],
    });
    assert.throws(
      () => client.selectOffer(required([offer()])),
      (e: unknown) =>
        e instanceof X402Error &&
        e.reason === 'no_acceptable_payment_option' &&
        /amount 1000 exceeds the cap of 0\.0005 \(500 atomic units\)/.test(e.message),
    );
    assert.equal(
      createX402Client({
        schemes: [{ network: 'eip155:*', client: signingScheme() }],
        policies: [maxAmountPolicy('0.001')],
      }).selectOffer(required([offer()])).index,
      0,
    );
  });

  it('fails closed on unknown decimals and filters networks, assets and schemes', () => {
    const client = createX402Client({
      schemes: [{ network: 'eip155:84532', client: signingScheme() }],
      policies: [
        maxAmountPolicy('1'),
        allowAssetsPolicy([USDC.toLowerCase()]),
        allowNetworksPolicy(['eip155:84532']),
      ],
    });
    assert.throws(
      () =>
        client.selectOffer(
          required([
            offer({ asset: '0xUnknown' }),
            offer({ network: 'eip155:8453' }),
            offer({ scheme: 'other' }),
          ]),
        ),
      (e: unknown) =>
        e instanceof X402Error &&
        /unknown decimals/.test(e.message) &&
        /no registered scheme client/.test(e.message),
    );
    assert.equal(client.selectOffer(required([offer({ asset: '0xUnknown' }), offer()])).index, 1);
  });

  it('lets a selector prefer networks', () => {
    const client = createX402Client({
      schemes: [{ network: 'eip155:*', client: signingScheme() }],
      select: preferNetworks(['eip155:8453']),
    });
    const base = offer({ network: 'eip155:8453', asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' });
    assert.equal(client.selectOffer(required([offer(), base])).index, 1);
  });

  it('lets a hook refuse payment', async () => {
    const client = createX402Client({
      schemes: [{ network: 'eip155:*', client: signingScheme() }],
      hooks: { beforePayment: () => ({ abort: true, reason: 'user declined' }) },
    });
    await assert.rejects(client.createPaymentPayload(required([offer()])), /payment refused: user declined/);
  });
});

describe('choosing the payment method', () => {
  const BSC_USDT = '0x55d398326f99059fF775485246999027B3197955';
  const BASE_USDC = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913';
  const offers = (list: PaymentRequirements[]): Offer[] =>
    list.map((requirements, index) => ({ requirements, x402Version: 2, index }));
  const anyScheme = (scheme: string): SchemeClient => ({
    scheme,
    createPaymentPayload: async (r) => ({ payload: { scheme: r.scheme } }),
  });
  const schemes = ['exact', 'exact_permit', 'upto'].map((s) => ({ network: '*:*', client: anyScheme(s) }));

  it("preferSchemes picks the first listed scheme on offer, else the server's first", () => {
    const list = offers([offer({ scheme: 'upto' }), offer({ scheme: 'exact_permit' }), offer()]);
    assert.equal(preferSchemes(['exact', 'exact_permit'])(list).index, 2);
    assert.equal(preferSchemes(['exact_permit', 'exact'])(list).index, 1);
    assert.equal(preferSchemes(['nope'])(list).index, 0);
  });

  it('cheapest compares across decimals (6 vs 18) and sorts unknown decimals last', () => {
    const list = offers([
      offer({ asset: '0xUnknown', amount: '1' }),
      offer({ network: 'eip155:56', asset: BSC_USDT, amount: '2000000000000000' }), // 0.002 USDT
      offer({ network: 'eip155:8453', asset: BASE_USDC, amount: '1500' }), // 0.0015 USDC
      offer({ amount: '1500' }), // 0.0015 USDC, later in the server's order
    ]);
    assert.equal(cheapest()(list).index, 2);
    assert.equal(
      cheapest()(offers([offer({ asset: '0xUnknown', amount: '1' }), offer({ amount: '9' })])).index,
      1,
    );
    assert.equal(
      cheapest()(offers([offer({ asset: '0xA', amount: '5' }), offer({ asset: '0xB', amount: '1' })])).index,
      0,
    );
    // 1 USDT at 18 decimals equals 1 USDC at 6: a tie, the server's order decides
    const tie = offers([
      offer({ network: 'eip155:56', asset: BSC_USDT, amount: '1000000000000000000' }),
      offer({ amount: '1000000' }),
    ]);
    assert.equal(cheapest()(tie).index, 0);
  });

  it('combineSelectors breaks ties with the next selector, and a plain function ends the chain', () => {
    const list = offers([
      offer({ scheme: 'exact_permit', network: 'eip155:56', asset: BSC_USDT, amount: '1000000000000000' }),
      offer({ scheme: 'upto', amount: '1000' }),
      offer({ scheme: 'exact', network: 'eip155:8453', asset: BASE_USDC, amount: '1000' }),
      offer({ scheme: 'exact', amount: '5000' }),
    ]);
    assert.equal(combineSelectors(cheapest())(list).index, 0);
    assert.equal(combineSelectors(cheapest(), preferSchemes(['exact', 'exact_permit']))(list).index, 2);
    assert.equal(combineSelectors(preferSchemes(['exact']), cheapest())(list).index, 2);
    assert.equal(
      combineSelectors(
        preferSchemes(['exact']),
        (left) => left[left.length - 1] ?? assert.fail('empty'),
      )(list).index,
      3,
    );
    assert.equal(combineSelectors(preferNetworks(['eip155:84532']), preferSchemes(['exact']))(list).index, 3);
  });

  it('a client pays the offer its combined selector chooses', async () => {
    const client = createX402Client({
      schemes,
      select: combineSelectors(preferSchemes(['exact', 'exact_permit']), cheapest()),
    });
    const pr = required([
      offer({ scheme: 'upto', amount: '1' }),
      offer({ scheme: 'exact_permit', network: 'eip155:56', asset: BSC_USDT, amount: '1000000000000000' }),
      offer({ scheme: 'exact', amount: '3000' }),
      offer({ scheme: 'exact', network: 'eip155:8453', asset: BASE_USDC, amount: '2000' }),
    ]);
    const payload = await client.createPaymentPayload(pr);
    assert.equal(payload.x402Version === 2 ? payload.accepted : undefined, pr.accepts[3]);
  });

  it('runs the async prefilter before the policies, and explains what it removed', async () => {
    const calls: number[][] = [];
    const client = createX402Client({
      schemes,
      prefilter: async (list) => {
        calls.push(list.map((o) => o.index));
        return list.filter((o) => o.requirements.network !== 'eip155:84532');
      },
      policies: [maxAmountPolicy('0.01')],
    });
    const pr = required([
      offer({ scheme: 'nope' }),
      offer(),
      offer({ network: 'eip155:8453', asset: BASE_USDC, amount: '20000' }),
      offer({ network: 'eip155:8453', asset: BASE_USDC, amount: '2000' }),
    ]);
    assert.equal((await client.selectOfferAsync(pr)).index, 3);
    assert.deepEqual(calls, [[1, 2, 3]]); // only offers with a registered scheme
    const payload = await client.createPaymentPayload(pr);
    assert.equal(payload.x402Version === 2 ? payload.accepted : undefined, pr.accepts[3]);
    // the synchronous selectOffer does not run it
    assert.equal(client.selectOffer(pr).index, 1);

    const none = createX402Client({ schemes, prefilter: async () => [] });
    await assert.rejects(none.createPaymentPayload(required([offer()])), (error: unknown) => {
      assert.ok(error instanceof X402Error);
      assert.match(error.message, /removed by the prefilter/);
      return true;
    });
  });

  it('a prefilter cannot add offers the server did not make', async () => {
    const client = createX402Client({
      schemes,
      prefilter: async (list) => [
        ...list,
        { requirements: offer({ amount: '1' }), x402Version: 2, index: 7 },
      ],
    });
    assert.equal((await client.selectOfferAsync(required([offer()]))).index, 0);
  });
});

describe('createX402Client: payment-identifier', () => {
  const plainScheme: SchemeClient = {
    scheme: 'exact',
    async createPaymentPayload(r) {
      return { payload: { signedAmount: r.amount } };
    },
  };
  const declared = {
    'payment-identifier': { info: { required: true }, schema: { type: 'object' } },
  };

  it('echoes the declaration with the given id, or a fresh pay_ id, and adds nothing undeclared', async () => {
    const client = createX402Client({ schemes: [{ network: 'eip155:*', client: plainScheme }] });
    const given = await client.createPaymentPayload(required([offer()], declared), {
      paymentIdentifier: 'pay_agent_retry_0000001',
    });
    assert.deepEqual(given.x402Version === 2 && given.extensions, {
      'payment-identifier': {
        info: { required: true, id: 'pay_agent_retry_0000001' },
        schema: { type: 'object' },
      },
    });
    const fresh = await client.createPaymentPayload(required([offer()], declared));
    const info =
      fresh.x402Version === 2 ? Reflect.get(Object(fresh.extensions?.['payment-identifier']), 'info') : {};
    assert.match(String(Reflect.get(Object(info), 'id')), /^pay_[0-9a-f]{32}$/);
    const none = await client.createPaymentPayload(required([offer()]));
    assert.equal(none.x402Version === 2 && none.extensions, undefined);
    await assert.rejects(
      client.createPaymentPayload(required([offer()], declared), { paymentIdentifier: 'no good' }),
      X402Error,
    );
  });
});
