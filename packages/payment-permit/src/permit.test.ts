import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import {
  isPermitSignatureShape,
  parsePaymentPermit,
  readExactPermitPayload,
  toPaymentPermitWire,
} from './permit.js';
import { ExactPermitReasons } from './reasons.js';

const wire = {
  meta: {
    kind: 'PAYMENT_ONLY',
    paymentId: '0x00112233445566778899aabbccddeeff',
    nonce: '123456789',
    validAfter: 1700000000,
    validBefore: 1700003600,
  },
  buyer: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
  caller: '0x3333333333333333333333333333333333333333',
  payment: {
    payToken: '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd',
    payAmount: '1000000',
    payTo: '0x2222222222222222222222222222222222222222',
  },
  fee: { feeTo: '0x3333333333333333333333333333333333333333', feeAmount: '100' },
};
const sig = `${'ab'.repeat(64)}1b`;

describe('readExactPermitPayload', () => {
  it('reads BofAI wire: kind name, numbers as strings and numbers, signature without 0x', () => {
    const read = readExactPermitPayload({ signature: sig, paymentPermit: wire });
    assert.ok(read.ok);
    assert.equal(read.signature, `0x${sig}`);
    assert.deepEqual(read.permit.meta, {
      kind: 0,
      paymentId: '0x00112233445566778899aabbccddeeff',
      nonce: 123456789n,
      validAfter: 1700000000n,
      validBefore: 1700003600n,
    });
    assert.equal(read.permit.payment.payAmount, 1000000n);
  });

  it('accepts numbers as strings everywhere and a numeric kind', () => {
    const read = readExactPermitPayload({
      signature: `0x${sig}`,
      paymentPermit: {
        ...wire,
        meta: {
          ...wire.meta,
          kind: 0,
          nonce: 123456789,
          validAfter: '1700000000',
          validBefore: '1700003600',
        },
        payment: { ...wire.payment, payAmount: 1000000 },
        fee: { ...wire.fee, feeAmount: 100 },
      },
    });
    assert.ok(read.ok);
    assert.equal(read.permit.fee.feeAmount, 100n);
    assert.deepEqual(toPaymentPermitWire(read.permit).meta.kind, 'PAYMENT_ONLY');
  });

  it('names the missing permit and malformed fields', () => {
    const missing = readExactPermitPayload({ signature: sig });
    assert.ok(!missing.ok);
    assert.equal(missing.reason, ExactPermitReasons.missingPermit);
    const bad = readExactPermitPayload({
      signature: sig,
      paymentPermit: { ...wire, payment: { ...wire.payment, payAmount: '1.5' } },
    });
    assert.ok(!bad.ok);
    assert.equal(bad.reason, ExactPermitReasons.payload);
    assert.match(bad.message, /payAmount/);
    assert.equal(bad.payer, wire.buyer);
    const notHex = readExactPermitPayload({ signature: 'zz', paymentPermit: wire });
    assert.ok(!notHex.ok);
    assert.match(notHex.message, /signature/);
  });

  it('parsePaymentPermit throws an X402Error invalid_exact_permit_payload naming the field', () => {
    assert.throws(
      () => parsePaymentPermit({ ...wire, meta: { ...wire.meta, kind: 'REFUND' } }),
      (error: unknown) =>
        error instanceof X402Error &&
        error.reason === ExactPermitReasons.payload &&
        /paymentPermit\.meta\.kind/.test(error.message),
    );
  });

  it('checks the signature shape: 65 bytes, v 27/28', () => {
    assert.equal(isPermitSignatureShape(`0x${sig}`), true);
    assert.equal(isPermitSignatureShape(`0x${'ab'.repeat(64)}01`), false);
    assert.equal(isPermitSignatureShape(`0x${'ab'.repeat(64)}`), false);
  });
});
