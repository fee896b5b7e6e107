import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEvmAddress, sameAddress } from './address.js';

describe('address helpers', () => {
  it('accepts 20-byte hex in any case and nothing else', () => {
    assert.equal(isEvmAddress('0x036CbD53842c5426634e7929541eC2318f3dCF7e'), true);
    assert.equal(isEvmAddress('0x036cbd53842c5426634e7929541ec2318f3dcf7e'), true);
    assert.equal(isEvmAddress('0x036cbd53842c5426634e7929541ec2318f3dcf7'), false);
    assert.equal(isEvmAddress('036cbd53842c5426634e7929541ec2318f3dcf7e00'), false);
    assert.equal(isEvmAddress('0xZZ6cbd53842c5426634e7929541ec2318f3dcf7e'), false);
    assert.equal(isEvmAddress(42), false);
  });

  it('compares case-insensitively', () => {
    assert.equal(
      sameAddress('0x036CbD53842c5426634e7929541eC2318f3dCF7e', '0x036cbd53842c5426634e7929541ec2318f3dcf7e'),
      true,
    );
    assert.equal(
      sameAddress('0x036CbD53842c5426634e7929541eC2318f3dCF7e', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'),
      false,
    );
    assert.equal(sameAddress('nope', 'nope'), false);
  });
});
