import type { PaymentPermitMessage } from './typed-data.js';

/**
 * The `permit` tuple argument of `permitTransferFrom`.
 *
 * @example encodeFunctionData({ abi: paymentPermitAbi, functionName: 'permitTransferFrom', args: [permitTuple(permit), permit.buyer, signature] })
 */
export function permitTuple(permit: PaymentPermitMessage) {
  return {
    meta: {
      kind: permit.meta.kind,
      paymentId: permit.meta.paymentId,
      nonce: permit.meta.nonce,
      validAfter: permit.meta.validAfter,
      validBefore: permit.meta.validBefore,
    },
    buyer: permit.buyer,
    caller: permit.caller,
    payment: { ...permit.payment },
    fee: { ...permit.fee },
  };
}
