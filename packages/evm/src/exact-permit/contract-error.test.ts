import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExactPermitReasons, paymentPermitAbi } from '@x402kit/payment-permit';
import { ContractFunctionRevertedError, encodeErrorResult } from 'viem';
import { permitErrorReason } from './contract-error.js';

type ErrorName = Extract<(typeof paymentPermitAbi)[number], { type: 'error' }>['name'];

function reverted(errorName: ErrorName): ContractFunctionRevertedError {
  const data = encodeErrorResult({ abi: paymentPermitAbi, errorName });
  return new ContractFunctionRevertedError({
    abi: paymentPermitAbi,
    data,
    functionName: 'permitTransferFrom',
  });
}

describe('permitErrorReason', () => {
  it('maps every PaymentPermit custom error', () => {
    const expected: Array<[ErrorName, string]> = [
      ['InvalidCaller', ExactPermitReasons.callerMismatch],
      ['NonceAlreadyUsed', ExactPermitReasons.nonceAlreadyUsed],
      ['InvalidTimestamp', ExactPermitReasons.expired],
      ['InvalidSignature', ExactPermitReasons.signature],
      ['BuyerMismatch', ExactPermitReasons.buyerMismatch],
      ['InvalidKind', ExactPermitReasons.kind],
      ['InvalidNonce', ExactPermitReasons.invalidNonce],
    ];
    for (const [name, reason] of expected) assert.equal(permitErrorReason(reverted(name)), reason, name);
  });
});
