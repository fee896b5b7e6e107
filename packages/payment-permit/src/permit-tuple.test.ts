import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYMENT_PERMIT_VECTOR_MESSAGE } from '@x402kit/testing/payment-permit-vector';
import { encodeFunctionData } from 'viem';
import { paymentPermitAbi } from './payment-permit-abi.js';
import { permitTuple } from './permit-tuple.js';
import type { PaymentPermitMessage } from './typed-data.js';

const permit: PaymentPermitMessage = PAYMENT_PERMIT_VECTOR_MESSAGE;

describe('permitTuple', () => {
  it('is the permit, copied, as permitTransferFrom takes it (selector 0xa4bd65d0)', () => {
    const tuple = permitTuple(permit);
    assert.deepEqual(tuple, permit);
    assert.notEqual(tuple.payment, permit.payment);
    const data = encodeFunctionData({
      abi: paymentPermitAbi,
      functionName: 'permitTransferFrom',
      args: [tuple, permit.buyer, '0x'],
    });
    assert.equal(data.slice(0, 10), '0xa4bd65d0');
  });
});
