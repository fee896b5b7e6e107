import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowAssetsPolicy,
  allowNetworksPolicy,
  createX402Client,
  maxAmountPolicy,
  preferNetworks,
} from './client.js';
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
  it('echoes the chosen offer verbatim and merges extensions', async () => {
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
      'payment-identifier': { info: { id: 'pay_0123456789abcdef' }, schema: { type: 'object' } },
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
