import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SchemeFacilitator } from '@x402kit/core';
import { privateKeyToAccount } from 'viem/accounts';
import { createEvmFacilitator } from './create-evm-facilitator.js';

const KEY = `0x${'11'.repeat(32)}` as const;
const ME = privateKeyToAccount(KEY).address;
const USDT = '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd';
// nothing listens here: building the engine and answering quotes ask no node
const NOWHERE = 'http://127.0.0.1:9';

describe('createEvmFacilitator', () => {
  it('serves exact on every network and exact_permit where the fees price a token', async () => {
    const facilitator = createEvmFacilitator({
      rpc: { 'bsc-testnet': NOWHERE, 'eip155:84532': NOWHERE },
      privateKeys: [KEY],
      fees: { 'eip155:97': { [USDT]: { amount: '100' } } },
    });
    try {
      const { kinds } = await facilitator.supported();
      const served = kinds.map((k) => `${k.x402Version} ${k.scheme} ${k.network}`).sort();
      assert.ok(served.includes('2 exact eip155:97'));
      assert.ok(served.includes('2 exact eip155:84532'));
      assert.ok(served.includes('2 exact_permit eip155:97'));
      assert.ok(!served.includes('2 exact_permit eip155:84532'));
      assert.ok(!served.some((k) => k.startsWith('1 exact_permit')));
      assert.deepEqual([...facilitator.networks].sort(), ['eip155:84532', 'eip155:97']);
      assert.deepEqual(facilitator.signers, [ME]);
      const quote = facilitator.quoteFee?.({
        scheme: 'exact_permit',
        network: 'eip155:97',
        asset: USDT.toLowerCase(),
      });
      assert.equal(quote?.feeTo, ME);
      assert.equal(quote?.feeAmount, '100');
      assert.equal(
        facilitator.quoteFee?.({ scheme: 'exact_permit', network: 'eip155:84532', asset: USDT }),
        undefined,
      );
    } finally {
      facilitator.close();
    }
  });

  it('serves other chains behind the same engine and asks their quotes after exact_permit', async () => {
    const refuse = async () => {
      throw new Error('not called');
    };
    const other: SchemeFacilitator = {
      scheme: 'exact_permit',
      family: 'tron:*',
      getSigners: () => ['TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf'],
      verify: refuse,
      settle: refuse,
    };
    const facilitator = createEvmFacilitator({
      rpc: {},
      privateKeys: [KEY],
      schemes: [{ networks: 'tron:nile', facilitator: other, x402Versions: [2] }],
      quoteFee: (offer) => (offer.network === 'tron:nile' ? { feeTo: 'T…', feeAmount: '1' } : undefined),
    });
    try {
      assert.deepEqual(facilitator.networks, ['tron:nile']);
      assert.deepEqual(facilitator.signers, []);
      const { kinds } = await facilitator.supported();
      assert.deepEqual(
        kinds.map((k) => k.scheme),
        ['exact_permit'],
      );
      assert.deepEqual(facilitator.quoteFee?.({ scheme: 'exact_permit', network: 'tron:nile', asset: 'x' }), {
        feeTo: 'T…',
        feeAmount: '1',
      });
    } finally {
      facilitator.close();
    }
  });
});
