import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import type { PaymentPermitWire } from '@x402kit/payment-permit';
import { privateKeyToAccount } from 'viem/accounts';
import { toTronAddress, tronAddressBody } from '../address.js';
import { parseTronNetwork } from '../networks.js';
import { createTronNodeClient } from '../node-client.js';
import { signExactPermitTron } from './client.js';
import { ExactPermitTronReasons as R } from './reasons.js';
import { type ExactPermitTronVerifyContext, verifyExactPermitTronPayment } from './verify.js';

const KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const CALLER_KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const CALLER = toTronAddress(privateKeyToAccount(CALLER_KEY).address);
const USDT = 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf';
const PAY_TO = 'TD5gsCwxykWsLN9aPrq2TAfNjByuZKYp4E';
const NOW = 1_700_000_000;
const nile = parseTronNetwork('tron:nile');
if (!nile) throw new Error('nile');

// the node is never called: these checks run with onChain: false
const ctx: ExactPermitTronVerifyContext = {
  networkFor: (id) =>
    parseTronNetwork(id) === nile
      ? {
          network: nile,
          node: createTronNodeClient({ url: 'http://127.0.0.1:9' }),
          contract: 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH',
        }
      : undefined,
  fees: (_network, asset) => (asset === USDT ? { feeTo: CALLER, amount: 100n } : undefined),
  callers: new Set([tronAddressBody(CALLER)]),
  allowedAssets: undefined,
  validBeforeMarginSeconds: 6,
};

const requirements: PaymentRequirements = {
  scheme: 'exact_permit',
  network: 'tron:nile',
  amount: '1000000',
  asset: USDT,
  payTo: PAY_TO,
  maxTimeoutSeconds: 300,
  extra: { fee: { feeTo: CALLER, feeAmount: '100', caller: CALLER } },
};
const context = {
  paymentPermitContext: {
    meta: {
      kind: 'PAYMENT_ONLY',
      paymentId: `0x${'ab'.repeat(16)}`,
      nonce: '42',
      validAfter: NOW - 30,
      validBefore: NOW + 300,
    },
  },
};

async function payment(
  edit?: (p: PaymentPermitWire) => PaymentPermitWire,
  signingNetwork?: string,
): Promise<PaymentPayload> {
  const payload = await signExactPermitTron(KEY, requirements, context, {
    ...(edit ? { editPermit: edit } : {}),
    ...(signingNetwork ? { signingNetwork } : {}),
  });
  return { x402Version: 2, accepted: requirements, payload: { ...payload } };
}

/** Edits the wire permit after signing (what a forger or a typo does to a signed payment). */
async function tamper(edit: (p: PaymentPermitWire) => PaymentPermitWire): Promise<PaymentPayload> {
  const good = await payment();
  const permit = edit(good.payload.paymentPermit as PaymentPermitWire);
  return { ...good, payload: { ...good.payload, paymentPermit: permit } };
}

async function reason(
  payload: PaymentPayload,
  reqs: PaymentRequirements = requirements,
): Promise<string | undefined> {
  const { response } = await verifyExactPermitTronPayment(ctx, payload, reqs, { onChain: false, now: NOW });
  return response.isValid ? 'valid' : response.invalidReason;
}

describe('verifyExactPermitTronPayment (off chain)', () => {
  it('accepts a good payment under every network id form; the payer is Base58', async () => {
    const good = await payment();
    for (const network of ['tron:nile', 'tron:0xcd8690dc', 'tron:3448148188']) {
      const reqs = { ...requirements, network };
      const { response } = await verifyExactPermitTronPayment(ctx, { ...good, accepted: reqs }, reqs, {
        onChain: false,
        now: NOW,
      });
      assert.deepEqual(response, { isValid: true, payer: 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz' });
    }
  });

  it('answers each refusal with its reason', async () => {
    const cases: Array<[string, Promise<PaymentPayload>, PaymentRequirements?]> = [
      [R.networkMismatch, payment(), { ...requirements, network: 'tron:mainnet' }],
      [R.kind, payment((p) => ({ ...p, meta: { ...p.meta, kind: 1 } }))],
      [R.amountMismatch, payment((p) => ({ ...p, payment: { ...p.payment, payAmount: '1' } }))],
      [R.payToMismatch, payment((p) => ({ ...p, payment: { ...p.payment, payTo: CALLER } }))],
      [R.tokenMismatch, payment(), { ...requirements, asset: 'TGjgvdTWWrybVLaVeFqSyVqJQWjxqRYbaK' }],
      [R.callerMismatch, payment((p) => ({ ...p, caller: PAY_TO }))],
      [R.feeToMismatch, payment((p) => ({ ...p, fee: { ...p.fee, feeTo: PAY_TO } }))],
      [R.feeAmountMismatch, payment((p) => ({ ...p, fee: { ...p.fee, feeAmount: '99' } }))],
      [R.expired, payment((p) => ({ ...p, meta: { ...p.meta, validBefore: NOW + 5 } }))],
      [R.notYetValid, payment((p) => ({ ...p, meta: { ...p.meta, validAfter: NOW + 60 } }))],
      // maxTimeoutSeconds 300 + 30 s of skew: one second more is too far
      [R.validBeforeTooFar, payment((p) => ({ ...p, meta: { ...p.meta, validBefore: NOW + 331 } }))],
      [R.validBeforeTooFar, payment((p) => ({ ...p, meta: { ...p.meta, validBefore: NOW + 3600 } }))],
      [R.signature, payment(undefined, 'tron:mainnet')],
      [R.addressChecksum, tamper((p) => ({ ...p, buyer: 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U' }))],
      [R.addressChecksum, payment(), { ...requirements, payTo: 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U' }],
      [R.address, tamper((p) => ({ ...p, payment: { ...p.payment, payTo: 'not-an-address' } }))],
    ];
    for (const [expected, pending, reqs] of cases) {
      const payload = await pending;
      const accepted = reqs ?? requirements;
      assert.equal(await reason({ ...payload, accepted }, accepted), expected);
    }
    const good = await payment();
    const atTheBound = await payment((p) => ({ ...p, meta: { ...p.meta, validBefore: NOW + 330 } }));
    assert.equal(await reason(atTheBound), 'valid');
    const longOffer = { ...requirements, maxTimeoutSeconds: 3600 };
    const long = await payment((p) => ({ ...p, meta: { ...p.meta, validBefore: NOW + 3600 } }));
    assert.equal(await reason({ ...long, accepted: longOffer }, longOffer), 'valid');
    assert.equal(await reason({ ...good, payload: { paymentPermit: undefined } }), R.missingPermit);
    assert.equal(await reason({ ...good, payload: { ...good.payload, signature: '0xzz' } }), R.payload);
  });

  it('accepts the signature without 0x and numbers as strings (BofAI formats)', async () => {
    const good = await payment();
    const permit = good.payload.paymentPermit as PaymentPermitWire;
    const loose = {
      signature: String(good.payload.signature).slice(2),
      paymentPermit: {
        ...permit,
        meta: { ...permit.meta, validAfter: String(NOW - 30), validBefore: String(NOW + 300) },
      },
    };
    assert.equal(await reason({ ...good, payload: loose }), 'valid');
  });
});
