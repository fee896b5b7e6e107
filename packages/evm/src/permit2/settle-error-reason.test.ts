import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { permit2SettleErrorReason } from './settle-error-reason.js';

describe('permit2SettleErrorReason', () => {
  it('maps revert names like the reference', () => {
    const cases: Array<[string, string]> = [
      ['reverted with Permit2612AmountMismatch()', 'permit2_2612_amount_mismatch'],
      ['InvalidAmount()', 'permit2_invalid_amount'],
      ['InvalidDestination()', 'permit2_invalid_destination'],
      ['InvalidOwner()', 'permit2_invalid_owner'],
      ['PaymentTooEarly()', 'permit2_payment_too_early'],
      ['InvalidSignature()', 'invalid_permit2_signature'],
      ['SignatureExpired(uint256)', 'invalid_permit2_signature'],
      ['InvalidNonce()', 'permit2_invalid_nonce'],
      ['erc20_approval_tx_failed: x', 'erc20_approval_broadcast_failed'],
      ['AmountExceedsPermitted()', 'upto_amount_exceeds_permitted'],
      ['UnauthorizedFacilitator()', 'upto_unauthorized_facilitator'],
    ];
    for (const [message, reason] of cases) assert.equal(permit2SettleErrorReason(message), reason, message);
    const other = permit2SettleErrorReason('x'.repeat(900));
    assert.equal(other, `invalid_exact_evm_transaction_failed: ${'x'.repeat(500)}`);
  });
});
