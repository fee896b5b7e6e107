import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '../protocol/errors.js';
import { Reasons } from '../protocol/reasons.js';
import { decodeTronAddress, encodeTronAddress, TRON_ZERO_ADDRESS } from './tron-address.js';

const BODY = '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23';

describe('the TRON address codec', () => {
  it('reads every accepted form into one body and writes Base58Check back', () => {
    for (const form of [
      'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz',
      '412c7536e3605d9c16a7a3d7b1898e529396a65c23',
      '0x412c7536e3605d9c16a7a3d7b1898e529396a65c23',
      '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
      BODY,
    ]) {
      assert.deepEqual(decodeTronAddress(form), { ok: true, body: BODY }, form);
    }
    assert.equal(encodeTronAddress(BODY), 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz');
    assert.equal(encodeTronAddress(`0x${'0'.repeat(40)}`), TRON_ZERO_ADDRESS);
    assert.throws(
      () => encodeTronAddress('0x1234'),
      (error: unknown) =>
        error instanceof RangeError && error instanceof X402Error && error.reason === Reasons.invalidArgument,
    );
  });

  it('names the problem of what it refuses', () => {
    const problem = (input: unknown) => {
      const decoded = decodeTronAddress(input);
      return decoded.ok ? 'ok' : decoded.problem;
    };
    assert.equal(problem('TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U'), 'checksum'); // the widely copied typo
    assert.equal(problem('0x2c7536e3605D9C16a7a3D7b1898e529396a65c23'), 'checksum'); // bad EIP-55
    assert.equal(problem('T0nope'), 'encoding');
    assert.equal(problem(''), 'encoding');
    assert.equal(problem(42), 'encoding');
    assert.equal(problem('TE2H9hWjzYdwzDFRJfx9BFhr4M'), 'length');
    assert.equal(problem('2c7536e3605d9c16a7a3d7b1898e529396a65c23'), 'prefix');
    assert.equal(problem('0x422c7536e3605d9c16a7a3d7b1898e529396a65c23'), 'prefix');
  });
});
