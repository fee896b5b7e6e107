import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { solanaAddresses } from './address.js';

const USDC = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';

describe('solanaAddresses', () => {
  it('takes a base58 32-byte key as written and nothing else', () => {
    assert.equal(solanaAddresses.canonical(USDC), USDC);
    assert.equal(solanaAddresses.same(USDC, USDC), true);
    for (const other of [
      USDC.toLowerCase(), // base58 is case-sensitive: another key or none
      '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz',
      '',
      42,
    ]) {
      assert.equal(solanaAddresses.canonical(other), undefined, String(other));
    }
    assert.equal(solanaAddresses.same('nope', 'nope'), false);
    assert.equal(solanaAddresses.namespace, 'solana');
  });
});
