import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Gauge, Registry } from 'prom-client';
import type { Hex } from 'viem';
import { channelMetrics } from './channel-metrics.js';
import type { ServerChannel } from './channel-store.js';
import { createMemoryChannelStore } from './memory-channel-store.js';

const config = {
  payer: '0x1000000000000000000000000000000000000001',
  payerAuthorizer: '0x1000000000000000000000000000000000000001',
  receiver: '0x2000000000000000000000000000000000000002',
  receiverAuthorizer: '0x3000000000000000000000000000000000000003',
  token: '0x4000000000000000000000000000000000000004',
  withdrawDelay: 900,
  salt: `0x${'00'.repeat(32)}`,
} as const;

function channel(n: number, charged: string, claimed: string): ServerChannel {
  return {
    channelId: `0x${n.toString(16).padStart(64, '0')}` as Hex,
    config: { ...config, salt: `0x${n.toString(16).padStart(64, '0')}` as Hex },
    chargedCumulativeAmount: charged,
    signedMaxClaimable: charged,
    signature: '0x12',
    balance: '10000',
    totalClaimed: claimed,
    withdrawRequestedAt: 0,
    refundNonce: '0',
    onchainSyncedAt: 1,
    lastRequestAt: 1,
  };
}

describe('channelMetrics', () => {
  it('counts open channels and the unclaimed value; exposes them as prom-client gauges', async () => {
    const store = createMemoryChannelStore();
    for (const c of [channel(1, '700', '200'), channel(2, '300', '300'), channel(3, '50', '0')]) {
      await store.reserve(c.channelId, {
        attempt: 'seed',
        signedMaxClaimable: '0',
        signature: '0x',
        expiresAt: Date.now() + 60_000,
      });
      assert.equal(await store.commit(c.channelId, 'seed', c), true);
    }
    const metrics = channelMetrics(store, { batchSizes: [4, 7] });
    assert.deepEqual(await metrics.read(), {
      openChannels: 3,
      unclaimedValue: 550n,
      lastClaimBatchSize: 7,
      claimBatches: 2,
    });
    const registry = new Registry();
    metrics.register(registry, Gauge);
    const text = await registry.metrics();
    assert.match(text, /^x402kit_batch_settlement_open_channels 3$/m);
    assert.match(text, /^x402kit_batch_settlement_unclaimed_value 550$/m);
    assert.match(text, /^x402kit_batch_settlement_claim_batch_size 7$/m);
    assert.match(text, /^x402kit_batch_settlement_claim_batches 2$/m);
  });
});
