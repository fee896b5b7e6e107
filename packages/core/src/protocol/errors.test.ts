import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sponsorLimits } from '../chain-module/sponsor-budget.js';
import { withReason, X402Error } from './errors.js';
import { Reasons } from './reasons.js';

class SubError extends X402Error {
  override name = 'SubError';
}

describe('X402Error', () => {
  it('is what instanceof X402Error finds: its instances and its subclasses, never a plain Error', () => {
    assert.ok(new X402Error(Reasons.internalError, 'x') instanceof X402Error);
    assert.ok(new SubError(Reasons.internalError, 'x') instanceof X402Error);
    assert.equal(new Error('x') instanceof X402Error, false);
    assert.equal(new RangeError('x') instanceof X402Error, false);
    const nothing: unknown = null;
    assert.equal(nothing instanceof X402Error, false);
  });

  it('keeps instanceof of a subclass to that subclass', () => {
    assert.ok(new SubError(Reasons.internalError, 'x') instanceof SubError);
    assert.equal(new X402Error(Reasons.internalError, 'x') instanceof SubError, false);
  });

  it('recognises the errors of another copy of core (its other build), by the registered brand', () => {
    class OtherCopyError extends Error {}
    Object.defineProperty(OtherCopyError.prototype, Symbol.for('@x402kit/core/X402Error'), { value: true });
    assert.ok(new OtherCopyError('x') instanceof X402Error);
  });
});

describe('withReason', () => {
  it('makes a native TypeError or RangeError an x402kit error that keeps its class, name and message', () => {
    const error = withReason(new RangeError('out of range'), Reasons.invalidArgument, { at: 1 });
    assert.ok(error instanceof RangeError);
    assert.ok(error instanceof X402Error);
    assert.equal(error.name, 'RangeError');
    assert.equal(error.message, 'out of range');
    assert.equal(error.reason, Reasons.invalidArgument);
    assert.deepEqual(error.details, { at: 1 });
  });

  it('is what sponsorLimits throws for a limit that is not a non-negative bigint', () => {
    assert.throws(
      () => sponsorLimits({ maxTopUpWei: -1n }),
      (error: unknown) =>
        error instanceof TypeError &&
        error instanceof X402Error &&
        error.reason === Reasons.invalidArgument &&
        error.message === 'gasSponsoring.maxTopUpWei must be a non-negative bigint of wei',
    );
  });
});
