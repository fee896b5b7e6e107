import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYMENT_PERMIT_VECTOR, PAYMENT_PERMIT_VECTOR_MESSAGE } from '@x402kit/testing/payment-permit-vector';
import { hashDomain, hashTypedData, keccak256, recoverTypedDataAddress, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  buildPaymentPermitDomain,
  buildPaymentPermitTypedData,
  type PaymentPermitMessage,
  paymentPermitTypes,
} from './typed-data.js';

// tron-bsc-bofai.md §1.2: computed with viem and TronWeb, identical results
const KEY = PAYMENT_PERMIT_VECTOR.privateKey;
const domain = buildPaymentPermitDomain(
  PAYMENT_PERMIT_VECTOR.chainId,
  PAYMENT_PERMIT_VECTOR.verifyingContract,
);
const message: PaymentPermitMessage = PAYMENT_PERMIT_VECTOR_MESSAGE;

describe('PaymentPermit EIP-712 (§1.2 vector)', () => {
  it('has the PaymentPermitDetails typehash', () => {
    // encodeType by hand from our field lists: primary type, then referenced structs sorted by name
    const struct = (name: keyof typeof paymentPermitTypes) =>
      `${name}(${paymentPermitTypes[name].map((f) => `${f.type} ${f.name}`).join(',')})`;
    const encoded = ['PaymentPermitDetails', 'Fee', 'Payment', 'PermitMeta'] as const;
    assert.equal(
      encoded.map(struct).join(''),
      'PaymentPermitDetails(PermitMeta meta,address buyer,address caller,Payment payment,Fee fee)Fee(address feeTo,uint256 feeAmount)Payment(address payToken,uint256 payAmount,address payTo)PermitMeta(uint8 kind,bytes16 paymentId,uint256 nonce,uint256 validAfter,uint256 validBefore)',
    );
    assert.equal(
      keccak256(toHex(encoded.map(struct).join(''))),
      '0x4988415eb4399a0bc3cf7f233e7d4c0dc15e0a32ee969ae7b4bec48caf503c63',
    );
  });

  it('has a domain without version', () => {
    assert.equal(
      hashDomain({
        domain: { ...domain, chainId: BigInt(domain.chainId) },
        types: {
          EIP712Domain: [
            { name: 'name', type: 'string' },
            { name: 'chainId', type: 'uint256' },
            { name: 'verifyingContract', type: 'address' },
          ],
        },
      }),
      '0x1d6a0acfc4e52bf85e7027f45ba5e5e36bcecf297fb76edff14b6a6fdf666d9d',
    );
  });

  it('reproduces the digest and the signature', async () => {
    const typed = buildPaymentPermitTypedData(domain, message);
    assert.equal(hashTypedData(typed), '0x9a80cad789f14b67a2b542af53eed30b9e876272990a7673919480bb31fa8821');
    const signature = await privateKeyToAccount(KEY).signTypedData(typed);
    assert.equal(
      signature,
      '0xa9a0694380f178ea61086e24d08bdfe8fa4da5bb0be6cc95e12d42f7a3dc5ff73746a4b0148de52424e10d07ddb4b29c7d4dd2004aa56f454c1b0ffbb677a7611b',
    );
    assert.equal(await recoverTypedDataAddress({ ...typed, signature }), message.buyer);
  });
});
