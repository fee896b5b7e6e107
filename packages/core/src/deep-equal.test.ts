import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepEqual } from './deep-equal.js';

describe('deepEqual', () => {
  it('ignores key order and undefined members', () => {
    assert.equal(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }), true);
    assert.equal(deepEqual({ a: 1, b: undefined }, { a: 1 }), true);
  });
  it('is strict about types, arrays and missing keys', () => {
    assert.equal(deepEqual({ amount: '1000' }, { amount: 1000 }), false);
    assert.equal(deepEqual({ extra: {} }, {}), false);
    assert.equal(deepEqual({ extra: null }, { extra: {} }), false);
    assert.equal(deepEqual([1, 2], [2, 1]), false);
    assert.equal(deepEqual([1], { 0: 1 }), false);
    assert.equal(deepEqual({ payTo: '0xAbC' }, { payTo: '0xabc' }), false);
  });
});
