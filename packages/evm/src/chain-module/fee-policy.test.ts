import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAddress } from 'viem';
import { createFlatFeePolicy, FeePolicyError } from './fee-policy.js';

const USDT = '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd';
const ME = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const COLLECTOR = getAddress('0x000000000000000000000000000000000000fee1');

describe('createFlatFeePolicy', () => {
  it('looks fees up by network and token, any case, v1 names accepted', () => {
    const policy = createFlatFeePolicy(
      {
        'bsc-testnet': { [USDT.toLowerCase()]: { amount: '100' } },
        'eip155:56': { [USDT]: { feeTo: COLLECTOR, amount: 5n } },
      },
      { defaultFeeTo: ME },
    );
    assert.deepEqual(policy.feeFor('eip155:97', USDT), { feeTo: ME, amount: 100n });
    assert.deepEqual(policy.feeFor('eip155:56', USDT.toLowerCase()), { feeTo: COLLECTOR, amount: 5n });
    assert.equal(policy.feeFor('eip155:97', COLLECTOR), undefined);
    assert.deepEqual([...policy.networks].sort(), ['eip155:56', 'eip155:97']);
  });

  it('names the bad field', () => {
    assert.throws(
      () => createFlatFeePolicy({ 'eip155:97': { [USDT]: { amount: '1.5' } } }, { defaultFeeTo: ME }),
      (e: unknown) => e instanceof FeePolicyError && e.path === `["eip155:97"]["${USDT}"]["amount"]`,
    );
    assert.throws(
      () => createFlatFeePolicy({ 'eip155:97': { nope: { amount: '1' } } }, { defaultFeeTo: ME }),
      (e: unknown) => e instanceof FeePolicyError && e.path === '["eip155:97"]["nope"]',
    );
    assert.throws(
      () => createFlatFeePolicy({ 'solana:x': { [USDT]: { amount: '1' } } }, { defaultFeeTo: ME }),
      FeePolicyError,
    );
  });
});
