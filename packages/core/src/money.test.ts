import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatUnits, parsePrice, parseUnits } from './money.js';
import { X402Error } from './protocol/errors.js';

const BASE_SEPOLIA_USDC = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(
    fn,
    (e: unknown) => e instanceof X402Error && e.reason === 'invalid_price' && pattern.test(e.message),
  );
}

describe('parsePrice', () => {
  it('reads dollars, bare decimals and numbers as the default stablecoin', () => {
    for (const price of ['$0.001', '0.001', 0.001, ' $0.001 ', '0.001 USD']) {
      const p = parsePrice(price, 'eip155:84532');
      assert.equal(p.amount, 1000n, String(price));
      assert.equal(p.asset, BASE_SEPOLIA_USDC);
      assert.deepEqual(p.extra, { name: 'USDC', version: '2' });
    }
  });

  it('accepts v1 network names', () => {
    assert.equal(parsePrice('$1', 'base-sepolia').amount, 1_000_000n);
  });

  it('reads a token symbol with that token decimals', () => {
    const p = parsePrice('0.5 USDT', 'eip155:56');
    assert.equal(p.amount, 500_000_000_000_000_000n);
    assert.equal(p.asset, '0x55d398326f99059fF775485246999027B3197955');
    assert.equal(parsePrice('0.5 usdc', 'eip155:56').asset, '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d');
  });

  it('passes an explicit asset amount through', () => {
    const p = parsePrice({ amount: '1234', asset: '0xabc', extra: { foo: 1 } }, 'eip155:84532');
    assert.deepEqual(p, { amount: 1234n, asset: '0xabc', extra: { foo: 1 } });
    assert.equal(
      parsePrice({ amount: 5n, asset: BASE_SEPOLIA_USDC }, 'eip155:84532').assetInfo?.symbol,
      'USDC',
    );
  });

  it('handles tiny numbers without float noise', () => {
    assert.equal(parsePrice(0.000001, 'eip155:84532').amount, 1n);
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point: refused rather than rounded
    rejects(() => parsePrice(0.1 + 0.2, 'eip155:8453'), /17 decimal places/);
  });

  it('rejects anything ambiguous with a specific message', () => {
    rejects(() => parsePrice('1,000', 'eip155:84532'), /not understood/);
    rejects(() => parsePrice('1e-3', 'eip155:84532'), /not understood/);
    rejects(() => parsePrice('$', 'eip155:84532'), /not understood/);
    rejects(() => parsePrice('', 'eip155:84532'), /not understood/);
    rejects(() => parsePrice('-1', 'eip155:84532'), /not understood/);
    rejects(() => parsePrice('$0.5 USDT', 'eip155:56'), /both "\$" and a token symbol/);
    rejects(() => parsePrice('0.0000001', 'eip155:84532'), /7 decimal places; USDC on eip155:84532 has 6/);
    rejects(() => parsePrice(0.0000001, 'eip155:84532'), /decimal places/);
    rejects(() => parsePrice('0', 'eip155:84532'), /zero/);
    rejects(() => parsePrice(0, 'eip155:84532'), /greater than zero/);
    rejects(() => parsePrice(Number.NaN, 'eip155:84532'), /finite/);
    rejects(() => parsePrice(Number.POSITIVE_INFINITY, 'eip155:84532'), /finite/);
    rejects(
      () => parsePrice('1 DOGE', 'eip155:84532'),
      /DOGE is not registered on eip155:84532 \(known: USDC\)/,
    );
    rejects(() => parsePrice('$1', 'eip155:999999'), /not registered/);
    rejects(() => parsePrice('$1', 'eip155:1329'), /no default stablecoin/);
    rejects(() => parsePrice({ amount: '1.5', asset: '0xabc' }, 'eip155:84532'), /atomic units/);
    rejects(() => parsePrice({ amount: '0', asset: '0xabc' }, 'eip155:84532'), /greater than zero/);
    rejects(() => parsePrice({ amount: '1', asset: '' }, 'eip155:84532'), /asset/);
  });
});

describe('parseUnits / formatUnits', () => {
  it('round-trips exactly', () => {
    assert.equal(parseUnits('123.456789', 6), 123456789n);
    assert.equal(parseUnits('1', 18), 10n ** 18n);
    assert.equal(formatUnits(1000n, 6), '0.001');
    assert.equal(formatUnits(1_000_000n, 6), '1');
    assert.equal(formatUnits(-1500n, 3), '-1.5');
    assert.equal(formatUnits(parseUnits('98765.4321', 18), 18), '98765.4321');
  });
});
