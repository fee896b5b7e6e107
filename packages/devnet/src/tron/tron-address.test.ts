import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TronWeb } from 'tronweb';
import { getAddress, keccak256, toHex } from 'viem';
import {
  isTronAddress,
  parseTronOrEvmAddress,
  TronAddressError,
  tronAddressToBase58,
  tronAddressToEvm,
  tronAddressToHex,
} from './tron-address.js';

describe('TRON addresses', () => {
  // Reference §1.3's Nile contracts. The 20-byte body of the first itself starts with 0x41, so its 21-byte
  // TRON form is 41 ‖ 41a0d8….
  const nile = (convert: (address: string) => string, from: string, to: string) =>
    test(`Nile contracts: ${convert.name}(${from}) is ${to}`, () => assert.equal(convert(from), to));
  nile(tronAddressToHex, 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH', '4141a0d8786c5e20d27b6225e9d03ed1cbfe271634');
  nile(
    tronAddressToBase58,
    '0x41a0d8786c5e20d27b6225e9d03ed1cbfe271634',
    'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH',
  );
  nile(tronAddressToEvm, 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf', '0xECa9bC828A3005B9a3b909f2cc5c2a54794DE05F');
  nile(tronAddressToBase58, `41${'0'.repeat(40)}`, 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb');

  test('agrees with TronWeb on every devnet key address', () => {
    for (const hex of [
      '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
      '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    ]) {
      assert.equal(tronAddressToBase58(hex), TronWeb.address.fromHex(`41${hex.slice(2)}`));
    }
  });

  test('rejects bad checksums and other strings', () => {
    assert.throws(() => tronAddressToHex('TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U'), TronAddressError); // the §2.1 typo
    assert.equal(isTronAddress('T123'), false);
    assert.equal(isTronAddress(42), false);
  });
  test('agrees with TronWeb both ways on many addresses', () => {
    for (let i = 0; i < 50; i++) {
      const hex = getAddress(`0x${keccak256(toHex(i)).slice(26)}`);
      const expected = TronWeb.address.fromHex(`41${hex.slice(2)}`);
      assert.equal(tronAddressToBase58(hex), expected);
      assert.equal(parseTronOrEvmAddress(expected), hex);
    }
    assert.equal(
      tronAddressToBase58('0x0000000000000000000000000000000000000000'),
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
