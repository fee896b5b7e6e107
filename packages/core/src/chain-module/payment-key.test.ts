import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namespacedPaymentKey, paymentKeyId } from './payment-key.js';

const hex = (value: string) => (/^0x[0-9a-fA-F]{40}$/.test(value) ? value : undefined);
const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TOKEN = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';

describe('namespacedPaymentKey', () => {
  it('keys a nonce in its space, however the payload spells it', () => {
    const parts = { network: 'eip155:84532', asset: TOKEN, payer: PAYER, space: 'permit2' };
    const expected = {
      network: 'eip155:84532',
      asset: TOKEN.toLowerCase(),
      payer: PAYER.toLowerCase(),
      nonce: 'permit2:255',
    };
    for (const nonce of ['255', '0255', '0xff', '0xFF', 255]) {
      assert.deepEqual(namespacedPaymentKey({ ...parts, nonce }, hex), expected, String(nonce));
    }
    assert.notEqual(
      paymentKeyId(namespacedPaymentKey({ ...parts, nonce: '5' }, hex) ?? assert.fail()),
      paymentKeyId(
        namespacedPaymentKey({ ...parts, space: 'paymentpermit', nonce: '5' }, hex) ?? assert.fail(),
      ),
      'nonce 5 of two contracts is two payments',
    );
  });

  it('is undefined for a missing or malformed part', () => {
    const parts = { network: 'eip155:84532', asset: TOKEN, payer: PAYER, space: 'permit2', nonce: '1' };
    for (const broken of [
      { asset: undefined },
      { asset: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' },
      { payer: '' },
      { nonce: '-1' },
      { nonce: 1.5 },
      { nonce: `0x${'f'.repeat(65)}` },
      { nonce: { n: 1 } },
    ]) {
      assert.equal(namespacedPaymentKey({ ...parts, ...broken }, hex), undefined, JSON.stringify(broken));
    }
  });
});
