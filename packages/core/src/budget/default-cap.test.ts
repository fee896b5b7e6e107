import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createX402Client, maxAmountPolicy } from '../client.js';
import { X402Error } from '../protocol/errors.js';
import type { PaymentRequired, PaymentRequirements } from '../protocol/schemas.js';
import type { SchemeClient } from '../scheme.js';
import { BudgetReasons } from './budget-reasons.js';

const USDC = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'; // Base Sepolia USDC, 6 decimals
const BSC_USDT = '0x55d398326f99059fF775485246999027B3197955'; // 18 decimals
const offer = (over: Partial<PaymentRequirements> = {}): PaymentRequirements => ({
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1000000',
  asset: USDC,
  payTo: '0xB',
  maxTimeoutSeconds: 60,
  ...over,
});
const required = (accepts: PaymentRequirements[]): PaymentRequired => ({
  x402Version: 2,
  resource: { url: 'http://127.0.0.1/x' },
  accepts,
});
const scheme: SchemeClient = {
  scheme: 'exact',
  async createPaymentPayload(r) {
    return { payload: { signedAmount: r.amount } };
  },
};
const schemes = [{ network: 'eip155:*', client: scheme }];

describe('the default $1 cap', () => {
  it('pays exactly $1 of a stablecoin and refuses more, saying how to raise it', async () => {
    const client = createX402Client({ schemes });
    await client.createPaymentPayload(required([offer()])); // 1 USDC: at the cap
    await client.createPaymentPayload(
      required([offer({ network: 'eip155:56', asset: BSC_USDT, amount: '1000000000000000000' })]),
    );
    await assert.rejects(
      client.createPaymentPayload(required([offer({ amount: '1000001' })])),
      (e: unknown) =>
        e instanceof X402Error &&
        e.reason === BudgetReasons.aboveDefaultCap &&
        /1\.000001 USDC is above the default cap of \$1 per payment/.test(e.message) &&
        /maxAmountPolicy\('5'\)/.test(e.message) &&
        /--max-amount/.test(e.message),
    );
  });

  it('keeps a cheaper offer when only the dearer one is above the cap', async () => {
    const client = createX402Client({ schemes });
    const chosen = client.selectOffer(required([offer({ amount: '2000000' }), offer({ amount: '500000' })]));
    assert.equal(chosen.requirements.amount, '500000');
  });

  it('leaves assets it cannot value in dollars to the other policies', async () => {
    const client = createX402Client({ schemes });
    const other = offer({ asset: '0x1111111111111111111111111111111111111111', amount: '99000000' });
    assert.equal(client.selectOffer(required([other])).requirements.amount, '99000000');
  });

  it('is replaced by a maxAmountPolicy, raised by defaultMaxAmount, removed by defaultMaxAmount: false', async () => {
    const dear = required([offer({ amount: '5000000' })]);
    assert.ok(createX402Client({ schemes, policies: [maxAmountPolicy('5')] }).selectOffer(dear));
    assert.ok(createX402Client({ schemes, defaultMaxAmount: '5' }).selectOffer(dear));
    assert.ok(createX402Client({ schemes, defaultMaxAmount: false }).selectOffer(dear));
    // a lower explicit cap still refuses with the policy's own reason
    assert.throws(
      () => createX402Client({ schemes, policies: [maxAmountPolicy('0.01')] }).selectOffer(dear),
      (e: unknown) => e instanceof X402Error && e.reason === 'no_acceptable_payment_option',
    );
  });
});
