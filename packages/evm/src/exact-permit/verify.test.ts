import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentPayload } from '@x402kit/core';
import {
  createPaymentPermitContext,
  ExactPermitReasons,
  PAYMENT_PERMIT_ADDRESSES,
  type PaymentPermitWire,
} from '@x402kit/payment-permit';
import { bscExactPermitRequirements } from '@x402kit/testing/exact-permit-requirements';
import { privateKeyToAccount } from 'viem/accounts';
import { createEvmNetwork } from '../evm-network.js';
import { signExactPermit } from './client.js';
import { type ExactPermitVerifyContext, verifyExactPermitPayment } from './verify.js';

const buyer = privateKeyToAccount('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
const facilitator = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');
const USDT = '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd';
const NOW = 1_800_000_000;
const requirements = bscExactPermitRequirements({
  fee: { feeTo: facilitator.address, feeAmount: '100', caller: facilitator.address },
});
const ctx: ExactPermitVerifyContext = {
  networkFor: (network) =>
    network === 'eip155:97'
      ? {
          net: createEvmNetwork({
            network,
            chainId: 97,
            rpcUrl: 'http://127.0.0.1:9',
            accounts: [facilitator],
          }),
          contract: PAYMENT_PERMIT_ADDRESSES['eip155:97'] ?? '0x',
        }
      : undefined,
  fees: (network, asset) =>
    network === 'eip155:97' && asset.toLowerCase() === USDT.toLowerCase()
      ? { feeTo: facilitator.address, amount: 100n }
      : undefined,
  callers: new Set([facilitator.address.toLowerCase()]),
  allowedAssets: undefined,
  validBeforeMarginSeconds: 6,
};

async function payment(
  edit?: (p: PaymentPermitWire) => PaymentPermitWire,
  after?: (p: PaymentPayload) => PaymentPayload,
): Promise<PaymentPayload> {
  const extensions = { paymentPermitContext: createPaymentPermitContext({ now: NOW }) };
  const signed = await signExactPermit(buyer, requirements, extensions, edit ? { editPermit: edit } : {});
  const p: PaymentPayload = {
    x402Version: 2,
    accepted: requirements,
    payload: { signature: signed.signature, paymentPermit: signed.paymentPermit },
  };
  return after ? after(p) : p;
}

async function reason(p: PaymentPayload, req = requirements, now = NOW): Promise<string | undefined> {
  const { response } = await verifyExactPermitPayment(ctx, p, req, { onChain: false, now });
  return response.isValid ? 'valid' : response.invalidReason;
}

const R = ExactPermitReasons;

describe('verifyExactPermitPayment (off-chain checks)', () => {
  it('accepts a good permit, signature with or without 0x', async () => {
    const p = await payment();
    assert.equal(await reason(p), 'valid');
    const bare = { ...p, payload: { ...p.payload, signature: String(p.payload.signature).slice(2) } };
    assert.equal(await reason(bare), 'valid');
  });

  it('gives each bad input its reason', async () => {
    const cases: Array<[string, Promise<string | undefined>]> = [
      [R.scheme, payment().then((p) => reason(p, { ...requirements, scheme: 'exact' }))],
      [R.networkMismatch, payment().then((p) => reason(p, { ...requirements, network: 'eip155:56' }))],
      [R.kind, payment((w) => ({ ...w, meta: { ...w.meta, kind: 1 } })).then((p) => reason(p))],
      [
        R.amountMismatch,
        payment((w) => ({ ...w, payment: { ...w.payment, payAmount: '1' } })).then((p) => reason(p)),
      ],
      [
        R.payToMismatch,
        payment((w) => ({ ...w, payment: { ...w.payment, payTo: facilitator.address } })).then((p) =>
          reason(p),
        ),
      ],
      [
        R.tokenMismatch,
        payment((w) => ({ ...w, payment: { ...w.payment, payToken: facilitator.address } })).then((p) =>
          reason(p),
        ),
      ],
      [R.callerMismatch, payment((w) => ({ ...w, caller: buyer.address })).then((p) => reason(p))],
      [
        R.feeToMismatch,
        payment((w) => ({ ...w, fee: { ...w.fee, feeTo: buyer.address } })).then((p) => reason(p)),
      ],
      [
        R.feeAmountMismatch,
        payment((w) => ({ ...w, fee: { ...w.fee, feeAmount: '99' } })).then((p) => reason(p)),
      ],
      [R.expired, payment().then((p) => reason(p, requirements, NOW + 3600))],
      [R.notYetValid, payment().then((p) => reason(p, requirements, NOW - 3600))],
      // the context's window is maxTimeoutSeconds 300; with 30 s of skew, 331 s is too far
      [
        R.validBeforeTooFar,
        payment((w) => ({ ...w, meta: { ...w.meta, validBefore: NOW + 331 } })).then((p) => reason(p)),
      ],
      [
        R.validBeforeTooFar,
        payment((w) => ({ ...w, meta: { ...w.meta, validBefore: NOW + 3600 } })).then((p) => reason(p)),
      ],
      [
        R.signature,
        payment(undefined, (p) => ({
          ...p,
          payload: {
            ...p.payload,
            paymentPermit: { ...(p.payload.paymentPermit as object), buyer: facilitator.address },
          },
        })).then((p) => reason(p)),
      ],
      [
        R.signature,
        payment(undefined, (p) => ({
          ...p,
          payload: { ...p.payload, signature: `${String(p.payload.signature).slice(0, 130)}01` },
        })).then((p) => reason(p)),
      ],
      [
        R.missingPermit,
        payment(undefined, (p) => ({ ...p, payload: { signature: '0x00' } })).then((p) => reason(p)),
      ],
    ];
    for (const [expected, got] of cases) assert.equal(await got, expected);
  });

  it('bounds validBefore by the offer: maxTimeoutSeconds + 30 s', async () => {
    const at = await payment((w) => ({ ...w, meta: { ...w.meta, validBefore: NOW + 330 } }));
    assert.equal(await reason(at), 'valid');
    const long = { ...requirements, maxTimeoutSeconds: 3600 };
    const signed = await payment((w) => ({ ...w, meta: { ...w.meta, validBefore: NOW + 3600 } }));
    assert.equal(await reason({ ...signed, accepted: long }, long), 'valid');
    const { response } = await verifyExactPermitPayment(ctx, signed, requirements, {
      onChain: false,
      now: NOW,
    });
    assert.equal(response.invalidReason, R.validBeforeTooFar);
    assert.match(response.invalidMessage ?? '', /3600 s away; this offer allows at most 300 s/);
  });

  it('refuses a token without a fee', async () => {
    const other = '0x64544969ed7EBf5f083679233325356EbE738930';
    const req = { ...requirements, asset: other };
    const p = await payment((w) => ({ ...w, payment: { ...w.payment, payToken: other } }));
    assert.equal(await reason({ ...p, accepted: req }, req), R.unsupportedToken);
  });
});
