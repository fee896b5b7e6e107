import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requiredAllowance } from './required-allowance.js';

describe('requiredAllowance', () => {
  it('is amount + extra.fee.feeAmount, the fee as a decimal string or a number', () => {
    assert.equal(requiredAllowance({ amount: '1000', extra: { fee: { feeAmount: '100' } } }), 1100n);
    assert.equal(requiredAllowance({ amount: '1000', extra: { fee: { feeAmount: 5 } } }), 1005n);
  });

  it('counts no fee when there is none or it is not a whole number', () => {
    assert.equal(requiredAllowance({ amount: '1000' }), 1000n);
    assert.equal(requiredAllowance({ amount: '1000', extra: {} }), 1000n);
    assert.equal(requiredAllowance({ amount: '1000', extra: { fee: null } }), 1000n);
    assert.equal(requiredAllowance({ amount: '1000', extra: { fee: { feeAmount: '-1' } } }), 1000n);
    assert.equal(requiredAllowance({ amount: '1000', extra: { fee: { feeAmount: 1.5 } } }), 1000n);
  });
});
