import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeErrorResult, parseAbi, toFunctionSelector } from 'viem';
import { decodePermitRevert, permitRevertReason } from './contract-error.js';
import { ExactPermitTronReasons as R } from './reasons.js';

describe('permitRevertReason', () => {
  it('maps PaymentPermit custom errors, string reverts and receipt results', () => {
    assert.equal(permitRevertReason(toFunctionSelector('NonceAlreadyUsed()')), R.nonceAlreadyUsed);
    assert.equal(permitRevertReason(toFunctionSelector('InvalidCaller()').slice(2)), R.callerMismatch);
    assert.equal(permitRevertReason(toFunctionSelector('InvalidTimestamp()')), R.expired);
    const text = encodeErrorResult({
      abi: parseAbi(['error Error(string)']),
      errorName: 'Error',
      args: ['SafeTransferLib: transfer amount exceeds balance'],
    });
    assert.equal(decodePermitRevert(text), 'SafeTransferLib: transfer amount exceeds balance');
    assert.equal(permitRevertReason(text), R.insufficientBalance);
    assert.equal(permitRevertReason('', 'OUT_OF_ENERGY'), R.outOfEnergy);
    assert.equal(permitRevertReason('deadbeef', 'REVERT'), R.transactionFailed);
    assert.equal(permitRevertReason(undefined), R.transactionFailed);
  });
});
