import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FacilitatorCall, PaymentRequirements, SchemeFacilitator } from '@x402kit/core';
import { identifyPayment } from './identify-payment.js';

const BUYER_T = 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz';
const BUYER_HEX = '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23';
const USDT_T = 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf';
const EVM_PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const EVM_TOKEN = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';

function call(
  scheme: string,
  network: string,
  payload: Record<string, unknown>,
  asset = EVM_TOKEN,
): FacilitatorCall {
  const requirements: PaymentRequirements = {
    scheme,
    network,
    amount: '1000',
    asset,
    payTo: EVM_PAYER,
    maxTimeoutSeconds: 60,
    extra: {},
  };
  // identify reads only the payload and requirements; the scheme object never answers here
  const refuse = async () => {
    throw new Error('not called');
  };
  const facilitator: SchemeFacilitator = {
    scheme,
    family: `${network.split(':')[0]}:*`,
    getSigners: () => [],
    verify: refuse,
    settle: refuse,
  };
  return {
    x402Version: 2,
    scheme: facilitator,
    requirements,
    payload: { x402Version: 2, accepted: requirements, payload },
  };
}

const permit = (buyer: string, nonce: string | number) => ({
  signature: '0x00',
  paymentPermit: {
    meta: { kind: 'PAYMENT_ONLY', paymentId: '0x00', nonce, validAfter: 0, validBefore: 1 },
    buyer,
    caller: buyer,
    payment: { payToken: USDT_T, payAmount: '1000', payTo: buyer },
    fee: { feeTo: buyer, feeAmount: '0' },
  },
});

describe('identifyPayment', () => {
  it('keys exact_permit on TRON by network, token body, buyer body and a namespaced nonce', () => {
    const key = identifyPayment(call('exact_permit', 'tron:nile', permit(BUYER_T, '123'), USDT_T));
    assert.deepEqual(key, {
      network: 'tron:nile',
      asset: '0xeca9bc828a3005b9a3b909f2cc5c2a54794de05f',
      payer: BUYER_HEX,
      nonce: 'paymentpermit:123',
    });
  });

  it('gives one key to one payment however its network, addresses and numbers are spelled', () => {
    const a = identifyPayment(call('exact_permit', 'tron:nile', permit(BUYER_T, '123'), USDT_T));
    const b = identifyPayment(call('exact_permit', 'tron:0xCD8690DC', permit(BUYER_HEX, 123), USDT_T));
    const c = identifyPayment(
      call('exact_permit', 'tron:3448148188', permit(`41${BUYER_HEX.slice(2)}`, '0x7b')),
    );
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
  });

  it('keeps the nonce spaces of different contracts apart', () => {
    const permit2 = identifyPayment(
      call('exact', 'eip155:84532', {
        signature: '0x00',
        permit2Authorization: { from: EVM_PAYER, permitted: { token: EVM_TOKEN, amount: '1' }, nonce: '5' },
      }),
    );
    const paymentPermit = identifyPayment(
      call('exact_permit', 'eip155:84532', {
        ...permit(EVM_PAYER, '5'),
        paymentPermit: { ...permit(EVM_PAYER, '5').paymentPermit, payment: { payToken: EVM_TOKEN } },
      }),
    );
    const gasfree = identifyPayment(
      call('exact_gasfree', 'tron:nile', { gasfree: { token: USDT_T, user: BUYER_T, nonce: 5 } }, USDT_T),
    );
    assert.equal(permit2?.nonce, 'permit2:5');
    assert.equal(paymentPermit?.nonce, 'paymentpermit:5');
    assert.equal(gasfree?.nonce, 'gasfree:5');
    assert.equal(permit2?.payer, paymentPermit?.payer);
  });

  it('reads both GasFree wires (G1 paymentPermit, G2 gasfree) into the same key', () => {
    const g1 = identifyPayment(call('exact_gasfree', 'tron:nile', permit(BUYER_T, '7'), USDT_T));
    const g2 = identifyPayment(
      call('exact_gasfree', 'tron:nile', { gasfree: { token: USDT_T, user: BUYER_T, nonce: '7' } }, USDT_T),
    );
    assert.ok(g1);
    assert.deepEqual(g1, g2);
  });

  it('keeps the EIP-3009 key as before and leaves unknown or malformed payloads unidentified', () => {
    const nonce = `0x${'ab'.repeat(32)}`;
    const eip3009 = identifyPayment(
      call('exact', 'eip155:84532', {
        signature: '0x00',
        authorization: {
          from: EVM_PAYER,
          to: EVM_PAYER,
          value: '1',
          validAfter: '0',
          validBefore: '1',
          nonce,
        },
      }),
    );
    assert.deepEqual(eip3009, {
      network: 'eip155:84532',
      asset: EVM_TOKEN.toLowerCase(),
      payer: EVM_PAYER.toLowerCase(),
      nonce,
    });
    assert.equal(
      identifyPayment(call('exact_permit', 'tron:nile', permit('TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U', 1))),
      undefined,
    );
    assert.equal(identifyPayment(call('exact_permit', 'tron:nile', permit(BUYER_T, '-1'))), undefined);
    assert.equal(identifyPayment(call('batch', 'eip155:84532', {})), undefined);
    assert.equal(identifyPayment(call('upto', 'eip155:84532', {})), undefined);
  });
});
