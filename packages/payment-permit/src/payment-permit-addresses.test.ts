import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as addresses from './payment-permit-addresses.js';

describe('PaymentPermit addresses', () => {
  it('is one address on BSC and BSC testnet', () => {
    assert.deepEqual(addresses.PAYMENT_PERMIT_ADDRESSES, {
      'eip155:56': addresses.BSC_PAYMENT_PERMIT_ADDRESS,
      'eip155:97': addresses.BSC_PAYMENT_PERMIT_ADDRESS,
    });
    assert.equal(addresses.BSC_PAYMENT_PERMIT_ADDRESS, '0x1825bB32db3443dEc2cc7508b2D818fc13EaD878');
  });

  it('names a Base58Check address on each TRON network, and cannot be changed', () => {
    assert.deepEqual(Object.keys(addresses.PAYMENT_PERMIT_TRON_ADDRESSES), [
      'tron:mainnet',
      'tron:nile',
      'tron:shasta',
    ]);
    for (const address of Object.values(addresses.PAYMENT_PERMIT_TRON_ADDRESSES))
      assert.match(address, /^T[1-9A-HJ-NP-Za-km-z]{33}$/);
    assert.ok(Object.isFrozen(addresses.PAYMENT_PERMIT_TRON_ADDRESSES));
  });
});
