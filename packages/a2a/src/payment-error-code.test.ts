import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reasons } from '@x402kit/core';
import { PaymentErrorCodes, paymentErrorCode } from './payment-error-code.js';

describe('paymentErrorCode', () => {
  it('maps our reasons onto the spec codes', () => {
    assert.equal(paymentErrorCode(Reasons.insufficientFunds), PaymentErrorCodes.insufficientFunds);
    assert.equal(paymentErrorCode(Reasons.exactEvmInsufficientBalance), 'INSUFFICIENT_FUNDS');
    assert.equal(paymentErrorCode(Reasons.exactEvmSignature), 'INVALID_SIGNATURE');
    assert.equal(paymentErrorCode(Reasons.exactEvmValidBefore), 'EXPIRED_PAYMENT');
    assert.equal(paymentErrorCode(Reasons.exactEvmNonceAlreadyUsed), 'DUPLICATE_NONCE');
    assert.equal(paymentErrorCode(Reasons.duplicateSettlement), 'DUPLICATE_NONCE');
    assert.equal(paymentErrorCode(Reasons.exactEvmNetworkMismatch), 'NETWORK_MISMATCH');
    assert.equal(paymentErrorCode(Reasons.exactEvmAuthorizationValueMismatch), 'INVALID_AMOUNT');
  });
  it('keeps the code before a detail', () => {
    assert.equal(paymentErrorCode(`${Reasons.exactEvmSignature}: bad v`), 'INVALID_SIGNATURE');
  });
  it('gives other reasons in upper case, and SETTLEMENT_FAILED after a settlement attempt', () => {
    assert.equal(paymentErrorCode(Reasons.invalidPayload), 'INVALID_PAYLOAD');
    assert.equal(paymentErrorCode(Reasons.exactEvmTransactionFailed, 'settle'), 'SETTLEMENT_FAILED');
    assert.equal(paymentErrorCode(Reasons.exactEvmSignature, 'settle'), 'INVALID_SIGNATURE');
  });
});
