import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evmAddresses, isEvmAddress, sameAddress } from './address.js';

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

  it('evmAddresses writes any spelling checksummed and refuses what is no address', () => {
    const checksummed = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
    for (const spelling of [
      checksummed,
      checksummed.toLowerCase(),
      `0x${checksummed.slice(2).toUpperCase()}`,
    ]) {
      assert.equal(evmAddresses.canonical(spelling), checksummed, spelling);
      assert.equal(evmAddresses.same(spelling, checksummed), true, spelling);
    }
    for (const other of [
      '0x036cbd53842c5426634e7929541ec2318f3dcf7',
      'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz',
      42,
      undefined,
    ]) {
      assert.equal(evmAddresses.canonical(other), undefined, String(other));
    }
    assert.equal(evmAddresses.namespace, 'eip155');
  });
});
