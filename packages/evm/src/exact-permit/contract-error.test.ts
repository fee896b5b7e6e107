import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContractFunctionRevertedError, encodeErrorResult } from 'viem';
import { permitErrorReason, permitErrorReasonFromText } from './contract-error.js';
import { paymentPermitAbi } from './payment-permit-abi.js';
import { ExactPermitReasons } from './reasons.js';

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

  it('maps token reverts by text, and anything else to transaction_failed', () => {
    assert.equal(
      permitErrorReasonFromText('ERC20: insufficient allowance'),
      ExactPermitReasons.insufficientAllowance,
    );
    assert.equal(
      permitErrorReasonFromText('transfer amount exceeds balance'),
      ExactPermitReasons.insufficientBalance,
    );
    assert.equal(permitErrorReasonFromText('Payment failed'), ExactPermitReasons.transactionFailed);
  });
});
