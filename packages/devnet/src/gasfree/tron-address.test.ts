import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TronWeb } from 'tronweb';
import { getAddress, keccak256, toHex } from 'viem';
import { parseTronOrEvmAddress, tronBase58 } from './tron-address.js';

describe('Base58Check TRON addresses (devnet copy)', () => {
  test('agrees with TronWeb both ways on many addresses', () => {
    for (let i = 0; i < 50; i++) {
      const hex = getAddress(`0x${keccak256(toHex(i)).slice(26)}`);
      const expected = TronWeb.address.fromHex(`41${hex.slice(2)}`);
      assert.equal(tronBase58(hex), expected);
      assert.equal(parseTronOrEvmAddress(expected), hex);
    }
    assert.equal(
      tronBase58('0x0000000000000000000000000000000000000000'),
      'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb',
    );
  });

  test('reads 41-hex and 0x forms; refuses bad checksums and junk', () => {
    const nile = '0x518688FBb39ccF1253F2b1217679FBE316329288';
    assert.equal(parseTronOrEvmAddress('41518688fbb39ccf1253f2b1217679fbe316329288'), nile);
    assert.equal(parseTronOrEvmAddress(nile.toLowerCase()), nile);
    assert.equal(parseTronOrEvmAddress('THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc'), nile);
    assert.equal(parseTronOrEvmAddress('TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U'), undefined);
    assert.equal(parseTronOrEvmAddress('123'), undefined);
    assert.equal(parseTronOrEvmAddress(''), undefined);
  });
});
