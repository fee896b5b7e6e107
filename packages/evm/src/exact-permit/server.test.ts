import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentRequirements } from '@x402kit/core';
import { readPaymentPermitContext } from './context.js';
import { createExactPermitEvmServer } from './server.js';

const USDT = '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd';
const FACILITATOR = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const base: PaymentRequirements = {
  scheme: 'exact_permit',
  network: 'eip155:97',
  amount: '10000000000000000',
  asset: USDT,
  payTo: '0x2222222222222222222222222222222222222222',
  maxTimeoutSeconds: 300,
  extra: { name: 'Tether USD', version: '1' },
};

describe('createExactPermitEvmServer', () => {
  const server = createExactPermitEvmServer();

  it('prices in BSC USDT (18 decimals) with BofAI extra name/version', async () => {
    assert.deepEqual(await server.parsePrice('$0.01', 'eip155:97'), {
      amount: 10n ** 16n,
      asset: USDT,
      extra: { name: 'Tether USD', version: '1' },
    });
    const usdc = await server.parsePrice('0.5 USDC', 'eip155:56');
    assert.equal(usdc.amount, 5n * 10n ** 17n);
    assert.equal(usdc.asset, '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d');
    assert.deepEqual(usdc.extra, { name: 'USD Coin', version: '1' });
  });

  it('refuses a network without PaymentPermit', () => {
    assert.throws(() => server.parsePrice('$0.01', 'eip155:84532'), /no PaymentPermit/);
  });

  it('puts the fee from /supported in extra.fee, deterministically', () => {
    const supportedKind = {
      x402Version: 2 as const,
      scheme: 'exact_permit',
      network: 'eip155:97',
      extra: {
        caller: FACILITATOR,
        feeTo: FACILITATOR,
        pricing: 'flat',
        fees: { [USDT.toLowerCase()]: { feeTo: FACILITATOR, feeAmount: '100' } },
      },
    };
    const ctx = { supportedKind, facilitatorExtensions: [] };
    const a = server.enhanceRequirements?.(base, ctx);
    assert.deepEqual(a?.extra, {
      name: 'Tether USD',
      version: '1',
      fee: { feeTo: FACILITATOR, feeAmount: '100', caller: FACILITATOR },
    });
    assert.deepEqual(server.enhanceRequirements?.(base, ctx), a);
  });

  it('prefers a configured fee quote', () => {
    const configured = createExactPermitEvmServer({
      fee: () => ({ feeTo: FACILITATOR, feeAmount: '7', caller: FACILITATOR }),
    });
    const out = configured.enhanceRequirements?.(base, { facilitatorExtensions: [] });
    assert.deepEqual(out?.extra?.fee, { feeTo: FACILITATOR, feeAmount: '7', caller: FACILITATOR });
  });

  it('emits a fresh paymentPermitContext per 402', () => {
    const resource = { url: 'http://x/y' };
    const one = server.paymentRequiredExtensions?.([base], { resource });
    const two = server.paymentRequiredExtensions?.([base], { resource });
    const { meta } = readPaymentPermitContext(one);
    assert.equal(meta.kind, 'PAYMENT_ONLY');
    assert.match(String(meta.paymentId), /^0x[0-9a-f]{32}$/);
    assert.match(String(meta.nonce), /^\d+$/);
    assert.equal(typeof meta.validAfter, 'number');
    assert.equal(Number(meta.validBefore) - Number(meta.validAfter), 3630);
    assert.notDeepEqual(one, two);
  });
});
