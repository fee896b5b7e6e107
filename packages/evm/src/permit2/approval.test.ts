import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFunctionData } from 'viem';
import { buildPermit2Approval } from './approval.js';
import { MAX_UINT256, PERMIT2_ADDRESS, permit2Erc20Abi } from './constants.js';

// readPermit2Allowance is exercised on the devnet in verify.test.ts and the e2e test
describe('buildPermit2Approval', () => {
  it('is approve(Permit2, 2^256-1) on the token', () => {
    const tx = buildPermit2Approval({ token: '0x55d398326f99059ff775485246999027b3197955' });
    assert.equal(tx.to, '0x55d398326f99059fF775485246999027B3197955');
    assert.ok(tx.data.startsWith('0x095ea7b3'));
    const decoded = decodeFunctionData({ abi: permit2Erc20Abi, data: tx.data });
    assert.deepEqual(decoded.args, [PERMIT2_ADDRESS, MAX_UINT256]);
  });
});
