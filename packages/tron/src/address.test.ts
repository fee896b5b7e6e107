import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { TronWeb } from 'tronweb';
import {
  isTronAddress,
  sameTronAddress,
  TRON_ZERO_ADDRESS,
  TronAddressError,
  toEvmHex,
  toTronAddress,
  toTronHex,
  tronAddressBody,
  tronAddresses,
} from './address.js';

function rejects(input: string, reason: string): void {
  assert.throws(
    () => tronAddressBody(input),
    (e: unknown) => e instanceof TronAddressError && e.name === 'TronAddressError' && e.reason === reason,
    `${input} should fail with ${reason}`,
  );
  assert.equal(isTronAddress(input), false);
}

describe('TRON addresses', () => {
  it('converts the §1.2 buyer both ways', () => {
    const buyer = 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz';
    const conversions: Array<[(value: string) => string, string, string]> = [
      [toEvmHex, buyer, '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23'],
      [toTronAddress, '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23', buyer],
      [toTronAddress, '412c7536e3605d9c16a7a3d7b1898e529396a65c23', buyer],
      [toTronAddress, '0x412C7536E3605D9C16A7A3D7B1898E529396A65C23', buyer],
      [toTronHex, buyer, '412c7536e3605d9c16a7a3d7b1898e529396a65c23'],
    ];
    for (const [convert, input, output] of conversions) assert.equal(convert(input), output, input);
  });

  it('rejects the famous GasFreeController typo by checksum and accepts the real one', () => {
    rejects('TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U', 'invalid_tron_address_checksum');
    assert.equal(
      tronAddressBody('TFFAMQLZybALaLb4uxHA9RBE7pxhUAjF3U'),
      '0x39dd12a54e2bab7c82aa14a1e158b34263d2d510',
    );
  });

  it('knows the zero address', () => {
    assert.equal(toTronAddress('0x0000000000000000000000000000000000000000'), TRON_ZERO_ADDRESS);
    assert.equal(toEvmHex(TRON_ZERO_ADDRESS), '0x0000000000000000000000000000000000000000');
  });

  it('gives a specific reason for each kind of bad input', () => {
    rejects('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHa0', 'invalid_tron_address_encoding'); // '0' is not Base58
    rejects('', 'invalid_tron_address_encoding');
    rejects('0xZZ7536E3605D9C16a7a3D7b1898e529396a65c23', 'invalid_tron_address_encoding');
    rejects('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CH', 'invalid_tron_address_length');
    rejects('0x2c7536e3605d9c16a7a3d7b1898e529396a65c', 'invalid_tron_address_length');
    rejects('422c7536e3605d9c16a7a3d7b1898e529396a65c23', 'invalid_tron_address_prefix');
    rejects('2c7536e3605d9c16a7a3d7b1898e529396a65c23', 'invalid_tron_address_prefix');
    // a Base58Check string with a valid checksum but Bitcoin's version byte 0x00
    rejects('1111111111111111111114oLvT2', 'invalid_tron_address_prefix');
    rejects('0x2c7536E3605D9C16a7a3D7b1898e529396a65C23', 'invalid_tron_address_checksum'); // bad EIP-55
    assert.throws(
      () => tronAddressBody(42 as unknown as string),
      (e: unknown) => e instanceof TronAddressError && e.reason === 'invalid_tron_address_encoding',
    );
  });

  it('compares addresses in one normalized form', () => {
    assert.equal(
      sameTronAddress('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz', '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23'),
      true,
    );
    assert.equal(sameTronAddress('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz', TRON_ZERO_ADDRESS), false);
    assert.equal(
      sameTronAddress('TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U', 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U'),
      false,
    );
  });

  it('agrees with tronweb on 300 random addresses', () => {
    for (let i = 0; i < 300; i++) {
      const body = randomBytes(20).toString('hex');
      const hex41 = `41${body}`;
      const base58 = TronWeb.address.fromHex(hex41);
      assert.equal(toTronAddress(`0x${body}`), base58);
      assert.equal(toTronHex(base58), TronWeb.address.toHex(base58).toLowerCase());
      assert.equal(TronWeb.isAddress(toTronAddress(hex41)), true);
      // flip one character: both must reject (or decode to another valid address, astronomically unlikely)
      const pos = 1 + (i % 33);
      const c = base58[pos] === 'a' ? 'b' : 'a';
      const typo = base58.slice(0, pos) + c + base58.slice(pos + 1);
      assert.equal(isTronAddress(typo), TronWeb.isAddress(typo));
    }
  });

  it('tronAddresses writes every accepted form as Base58Check and compares by body', () => {
    const base58 = 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz';
    for (const form of [
      base58,
      '412c7536e3605d9c16a7a3d7b1898e529396a65c23',
      '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
    ]) {
      assert.equal(tronAddresses.canonical(form), base58, form);
      assert.equal(tronAddresses.same(form, base58), true, form);
    }
    for (const other of [
      'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaZ',
      'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
      7,
    ]) {
      assert.equal(tronAddresses.canonical(other), undefined, String(other));
    }
    assert.equal(tronAddresses.same('nope', 'nope'), false);
  });
});
