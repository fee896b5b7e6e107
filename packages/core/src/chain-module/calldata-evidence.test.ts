import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '../protocol/errors.js';
import { Reasons } from '../protocol/reasons.js';
import { carriesAuthorization, nonceWord } from './calldata-evidence.js';

const SIGNATURE = `0x${'ab'.repeat(64)}1b`;

describe('carriesAuthorization', () => {
  const calldata = `0x13cd3b53${nonceWord(42n).slice(2)}${'00'.repeat(12)}${SIGNATURE.slice(2)}`;

  it('finds the nonce word and the signature, in any case', () => {
    assert.equal(
      carriesAuthorization(calldata, [nonceWord(42n), SIGNATURE.toUpperCase().replace('0X', '0x')]),
      true,
    );
  });

  it('refuses calldata without one of them', () => {
    assert.equal(carriesAuthorization(calldata, [nonceWord(43n), SIGNATURE]), false);
    assert.equal(carriesAuthorization(calldata, [nonceWord(42n), `0x${'cd'.repeat(65)}`]), false);
  });

  it('counts only matches at byte boundaries', () => {
    // "0ab…" shifted by one hex digit: the bytes are not there
    assert.equal(carriesAuthorization(`0x0${SIGNATURE.slice(2)}0`, [SIGNATURE]), false);
  });

  it('proves nothing with no evidence or an empty piece', () => {
    assert.equal(carriesAuthorization(calldata, []), false);
    assert.equal(carriesAuthorization(calldata, ['0x']), false);
  });
});

describe('nonceWord', () => {
  it('is the 32-byte big-endian word', () => {
    assert.equal(nonceWord(1n), `0x${'00'.repeat(31)}01`);
    assert.equal(nonceWord(2n ** 256n - 1n), `0x${'ff'.repeat(32)}`);
  });
});

describe('nonceWord', () => {
  it('writes a uint256 as one 32-byte word', () => {
    assert.equal(nonceWord(1n), `0x${'0'.repeat(63)}1`);
    assert.equal(nonceWord((1n << 256n) - 1n), `0x${'f'.repeat(64)}`);
  });

  it('refuses what is not a uint256', () => {
    const invalidArgument = (error: unknown) =>
      error instanceof RangeError && error instanceof X402Error && error.reason === Reasons.invalidArgument;
    assert.throws(() => nonceWord(-1n), invalidArgument);
    assert.throws(() => nonceWord(1n << 256n), invalidArgument);
  });
});
