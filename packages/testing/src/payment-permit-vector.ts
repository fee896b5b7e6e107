/**
 * The `PaymentPermit` test vector of tron-bsc-bofai.md §1.2 (computed with viem and TronWeb, identical
 * results): the message a buyer signs, its signing key and domain inputs, and what the typed data
 * hashes and signs to. One home for the payment-permit unit tests and the devnet's contract tests.
 */

/** The §1.2 key, domain inputs and expected hashes and signature. */
export const PAYMENT_PERMIT_VECTOR = {
  privateKey: '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318',
  buyer: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
  chainId: 3448148188,
  verifyingContract: '0x41a0d8786c5e20d27b6225e9d03ed1cbfe271634',
  separator: '0x1d6a0acfc4e52bf85e7027f45ba5e5e36bcecf297fb76edff14b6a6fdf666d9d',
  digest: '0x9a80cad789f14b67a2b542af53eed30b9e876272990a7673919480bb31fa8821',
  signature:
    '0xa9a0694380f178ea61086e24d08bdfe8fa4da5bb0be6cc95e12d42f7a3dc5ff73746a4b0148de52424e10d07ddb4b29c7d4dd2004aa56f454c1b0ffbb677a7611b',
  typehash: '0x4988415eb4399a0bc3cf7f233e7d4c0dc15e0a32ee969ae7b4bec48caf503c63',
} as const;

/**
 * The §1.2 message (a `PaymentPermitMessage` of @x402kit/payment-permit), signed by
 * `PAYMENT_PERMIT_VECTOR.buyer`.
 *
 * @example
 * const message: PaymentPermitMessage = PAYMENT_PERMIT_VECTOR_MESSAGE;
 */
export const PAYMENT_PERMIT_VECTOR_MESSAGE = {
  meta: {
    kind: 0,
    paymentId: '0x00112233445566778899aabbccddeeff',
    nonce: 123456789n,
    validAfter: 1700000000n,
    validBefore: 1700003600n,
  },
  buyer: PAYMENT_PERMIT_VECTOR.buyer,
  caller: '0x3333333333333333333333333333333333333333',
  payment: {
    payToken: '0xeca9bc828a3005b9a3b909f2cc5c2a54794de05f',
    payAmount: 1000000n,
    payTo: '0x2222222222222222222222222222222222222222',
  },
  fee: { feeTo: '0x3333333333333333333333333333333333333333', feeAmount: 100n },
} as const;
