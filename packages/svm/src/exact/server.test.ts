import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PaymentRequirements } from '@x402kit/core';
import { createExactSvmServer } from './server.js';

const DEVNET = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
const MAINNET = 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp';

describe('createExactSvmServer', () => {
  const server = createExactSvmServer();

  test('prices in USDC of the network (6 decimals)', async () => {
    assert.deepEqual(await server.parsePrice('$0.001', DEVNET), {
      amount: 1000n,
      asset: '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU',
      extra: {},
    });
    const mainnet = await server.parsePrice('0.25', MAINNET);
    assert.deepEqual(
      [mainnet.amount, mainnet.asset],
      [250000n, 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'],
    );
    const alias = await server.parsePrice('$1', 'solana:devnet');
    assert.equal(alias.asset, '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU');
  });

  test("puts the facilitator's fee payer in extra.feePayer, keeping the rest of extra", () => {
    const offer: PaymentRequirements = {
      scheme: 'exact',
      network: DEVNET,
      asset: '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU',
      amount: '1000',
      payTo: 'GcP1ot6XBwbQD1Z7eRiLzQSmn6vNmNZK8TDXvKJ6BNmA',
      maxTimeoutSeconds: 60,
      extra: { memo: 'order-42' },
    };
    const supportedKind = {
      x402Version: 2 as const,
      scheme: 'exact',
      network: DEVNET,
      extra: { feePayer: 'FEE' },
    };
    const enhanced = server.enhanceRequirements?.(offer, { supportedKind, facilitatorExtensions: [] });
    assert.deepEqual(enhanced?.extra, { memo: 'order-42', feePayer: 'FEE' });
    assert.deepEqual(server.enhanceRequirements?.(offer, { facilitatorExtensions: [] }), offer);
  });
});
