import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFunctionData } from 'viem';
import { paymentPermitAbi } from './payment-permit-abi.js';
import { permitTuple } from './permit-tuple.js';
import type { PaymentPermitMessage } from './typed-data.js';

const permit: PaymentPermitMessage = {
  meta: {
    kind: 0,
    paymentId: '0x00112233445566778899aabbccddeeff',
    nonce: 123456789n,
    validAfter: 1700000000n,
    validBefore: 1700003600n,
  },
  buyer: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
  caller: '0x3333333333333333333333333333333333333333',
  payment: {
    payToken: '0xeca9bc828a3005b9a3b909f2cc5c2a54794de05f',
    payAmount: 1000000n,
    payTo: '0x2222222222222222222222222222222222222222',
  },
  fee: { feeTo: '0x3333333333333333333333333333333333333333', feeAmount: 100n },
};

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
