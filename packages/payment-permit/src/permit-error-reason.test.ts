import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paymentPermitAbi } from './payment-permit-abi.js';
import { PAYMENT_PERMIT_ERROR_REASONS, permitErrorReasonFromText } from './permit-error-reason.js';
import { ExactPermitReasons } from './reasons.js';

describe('permitErrorReasonFromText', () => {
  it('has a reason for every custom error of the PaymentPermit ABI', () => {
    const errors = paymentPermitAbi.filter((item) => item.type === 'error').map((item) => item.name);
    assert.deepEqual(Object.keys(PAYMENT_PERMIT_ERROR_REASONS).sort(), [...errors].sort());
  });

  it('finds a custom error by its name in the text', () => {
    assert.equal(
      permitErrorReasonFromText('execution reverted: NonceAlreadyUsed()'),
      ExactPermitReasons.nonceAlreadyUsed,
    );
    assert.equal(permitErrorReasonFromText('InvalidCaller'), ExactPermitReasons.callerMismatch);
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
