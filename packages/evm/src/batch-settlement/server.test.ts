import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentPayload, PaymentRequirements, SchemeSessionContext } from '@x402kit/core';
import { sampleChannel, seedChannel } from '@x402kit/testing/channel-samples';
import { type Hex, zeroAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { batchSettlementDomain, type ChannelConfig, computeChannelId } from './channel.js';
import type { ChannelStore } from './channel-store.js';
import { voucherTypes } from './constants.js';
import { createMemoryChannelStore } from './memory-channel-store.js';
import { BatchSettlementReasons as R } from './reasons.js';
import { createBatchSettlementEvmServer } from './server.js';

const network = 'eip155:84532';
const payer = privateKeyToAccount(generatePrivateKey());
const authorizer = privateKeyToAccount(generatePrivateKey());
const payTo = privateKeyToAccount(generatePrivateKey()).address;
const token = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';

/** The request path must not reach the chain: any facilitator call fails the test. */
const noChainIo: SchemeSessionContext['facilitator'] = {
  verify: async () => assert.fail('a fresh EOA voucher was sent to the facilitator'),
  settle: async () => assert.fail('a voucher was settled through the facilitator'),
};
const ctx = (attempt: string): SchemeSessionContext => ({ attempt, facilitator: noChainIo });

function setup(clock = { now: Date.now() }) {
  const store = createMemoryChannelStore({ now: () => clock.now });
  const scheme = createBatchSettlementEvmServer({
    store,
    receiverAuthorizer: authorizer,
    now: () => clock.now,
  });
  const requirements = scheme.enhanceRequirements?.(
    {
      scheme: 'batch-settlement',
      network,
      amount: '100',
      asset: token,
      payTo,
      maxTimeoutSeconds: 60,
      extra: { name: 'USDC', version: '2' },
    },
    { facilitatorExtensions: [] },
  ) as PaymentRequirements;
  const config: ChannelConfig = {
    payer: payer.address,
    payerAuthorizer: payer.address,
    receiver: payTo,
    receiverAuthorizer: authorizer.address,
    token,
    withdrawDelay: 900,
    salt: `0x${'00'.repeat(31)}01`,
  };
  const channelId = computeChannelId(config, 84532);
  return { store, scheme, requirements, config, channelId, clock };
}

/** A server that already knows the channel (as after a deposit): 100 000 deposited, nothing charged. */
async function seeded() {
  const s = setup();
  const now = s.clock.now;
  const known = { signature: '0x', balance: '100000', onchainSyncedAt: now, lastRequestAt: now } as const;
  await seedChannel(s.store, sampleChannel({ channelId: s.channelId, config: s.config, ...known }));
  return s;
}

type Setup = ReturnType<typeof setup>;

const signVoucher = (signer: typeof payer, channelId: Hex, max: bigint) =>
  signer.signTypedData({
    domain: batchSettlementDomain(84532),
    types: voucherTypes,
    primaryType: 'Voucher',
    message: { channelId, maxClaimableAmount: max },
  });

async function voucherPayment(s: Setup, max: bigint): Promise<PaymentPayload> {
  const signature = await signVoucher(payer, s.channelId, max);
  return {
    x402Version: 2,
    accepted: s.requirements,
    payload: {
      type: 'voucher',
      channelConfig: s.config,
      voucher: { channelId: s.channelId, maxClaimableAmount: max.toString(), signature },
    },
  };
}

const verify = (s: Setup, payment: PaymentPayload, attempt: string) =>
  s.scheme.session.verify(payment, s.requirements, ctx(attempt));
const settle = (s: Setup, payment: PaymentPayload, attempt: string) =>
  s.scheme.session.settle(payment, s.requirements, ctx(attempt));

/** The seeded channel's state as the server reports it, with `charged` charged. */
const seededState = (s: Setup, charged: string) => ({
  channelId: s.channelId,
  balance: '100000',
  totalClaimed: '0',
  withdrawRequestedAt: 0,
  refundNonce: '0',
  chargedCumulativeAmount: charged,
});

async function charged(store: ChannelStore, channelId: Hex): Promise<string | undefined> {
  return (await store.get(channelId))?.chargedCumulativeAmount;
}

describe('batch-settlement server session (in-memory store, no chain I/O)', () => {
  it('offers the channel terms: receiverAuthorizer, withdrawDelay, the token domain', () => {
    const { requirements } = setup();
    assert.deepEqual(requirements.extra, {
      receiverAuthorizer: authorizer.address,
      withdrawDelay: 900,
      name: 'USDC',
      version: '2',
    });
  });

  it('20 concurrent requests with the same voucher: one reservation, one charge', async () => {
    const s = await seeded();
    const payment = await voucherPayment(s, 100n);
    const verdicts = await Promise.all(Array.from({ length: 20 }, (_, i) => verify(s, payment, `a-${i}`)));
    const accepted = verdicts.flatMap((v, i) => (v.isValid ? [i] : []));
    assert.equal(accepted.length, 1);
    for (const v of verdicts.filter((x) => !x.isValid)) assert.equal(v.invalidReason, R.channelBusy);
    const settled = await settle(s, payment, `a-${accepted[0]}`);
    assert.equal(settled.success, true);
    assert.equal(await charged(s.store, s.channelId), '100');
    const again = await verify(s, payment, 'late');
    assert.equal(again.invalidReason, R.cumulativeAmountMismatch);
  });

  it('50 sequential paid requests charge 50 x price; the answer is the spec voucher response', async () => {
    const s = await seeded();
    let last: Awaited<ReturnType<typeof s.scheme.session.settle>> | undefined;
    for (let i = 1; i <= 50; i++) {
      const payment = await voucherPayment(s, BigInt(i) * 100n);
      const verdict = await verify(s, payment, `seq-${i}`);
      assert.equal(verdict.isValid, true, verdict.invalidMessage);
      last = await settle(s, payment, `seq-${i}`);
    }
    assert.equal(await charged(s.store, s.channelId), '5000');
    assert.deepEqual(last, {
      success: true,
      transaction: '',
      amount: '',
      network,
      payer: payer.address,
      extra: {
        chargedAmount: '100',
        channelState: seededState(s, '5000'),
      },
    });
  });

  it('a voucher off the charged total gets the corrective offer of the spec', async () => {
    const s = await seeded();
    const first = await voucherPayment(s, 100n);
    await verify(s, first, 'c-1');
    await settle(s, first, 'c-1');
    const stale = await voucherPayment(s, 100n);
    const verdict = await verify(s, stale, 'c-2');
    assert.equal(verdict.isValid, false);
    assert.equal(verdict.invalidReason, 'invalid_batch_settlement_evm_cumulative_amount_mismatch');
    const signature = (first.payload.voucher as { signature: string }).signature;
    assert.deepEqual(verdict.correctedRequirements, {
      ...s.requirements,
      extra: {
        receiverAuthorizer: authorizer.address,
        withdrawDelay: 900,
        name: 'USDC',
        version: '2',
        channelState: seededState(s, '100'),
        voucherState: { signedMaxClaimable: '100', signature },
      },
    });
    // the channel is free again: the corrected voucher is accepted
    assert.equal((await verify(s, await voucherPayment(s, 200n), 'c-3')).isValid, true);
  });

  it('a handler that failed releases the channel: the same voucher is accepted again', async () => {
    const s = await seeded();
    const payment = await voucherPayment(s, 100n);
    assert.equal((await verify(s, payment, 'h-1')).isValid, true);
    await s.scheme.session.release(payment, s.requirements, ctx('h-1'));
    assert.equal(await charged(s.store, s.channelId), '0');
    assert.equal((await verify(s, payment, 'h-2')).isValid, true);
    assert.equal((await settle(s, payment, 'h-2')).success, true);
    assert.equal(await charged(s.store, s.channelId), '100');
  });

  it('a crashed holder lapses at expiresAt; its late settle cannot commit', async () => {
    const s = await seeded();
    const payment = await voucherPayment(s, 100n);
    assert.equal((await verify(s, payment, 'dead')).isValid, true);
    assert.equal((await verify(s, payment, 'next')).invalidReason, R.channelBusy);
    s.clock.now += 61_000; // past maxTimeoutSeconds; the mirrored state is still fresh (TTL 300 s)
    assert.equal((await verify(s, payment, 'next')).isValid, true);
    assert.equal((await settle(s, payment, 'next')).success, true);
    const late = await settle(s, payment, 'dead');
    assert.equal(late.success, false);
    assert.equal(await charged(s.store, s.channelId), '100');
  });

  it('charges the actual amount when below the price; refuses a bad signature and a foreign receiver', async () => {
    const s = await seeded();
    const payment = await voucherPayment(s, 100n);
    await verify(s, payment, 'u-1');
    const settled = await s.scheme.session.settle(payment, s.requirements, { ...ctx('u-1'), amount: '40' });
    assert.equal((settled as { extra?: { chargedAmount?: string } }).extra?.chargedAmount, '40');
    assert.equal(await charged(s.store, s.channelId), '40');
    const forged = await voucherPayment(s, 140n);
    const other = privateKeyToAccount(generatePrivateKey());
    const bad = await signVoucher(other, s.channelId, 140n);
    (forged.payload.voucher as { signature: Hex }).signature = bad;
    assert.equal((await verify(s, forged, 'u-2')).invalidReason, R.voucherSignature);
    const foreign = { ...s.requirements, payTo: zeroAddress.replace(/0$/, '1') };
    assert.equal(
      (await s.scheme.session.verify(payment, foreign, ctx('u-3'))).invalidReason,
      R.receiverMismatch,
    );
  });

  it('no receiver authorizer anywhere: a clear refusal to build the offer', () => {
    const scheme = createBatchSettlementEvmServer();
    assert.throws(
      () =>
        scheme.enhanceRequirements?.(
          { scheme: 'batch-settlement', network, amount: '1', asset: token, payTo, maxTimeoutSeconds: 60 },
          { facilitatorExtensions: [] },
        ),
      /receiverAuthorizer/,
    );
  });
});
