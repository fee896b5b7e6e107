import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PaymentRequirements, SettleResponse } from '@x402kit/core';
import { type Hex, recoverTypedDataAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { batchSettlementDomain, computeChannelId } from './channel.js';
import { createBatchSettlementEvmClient } from './client.js';
import { createFileClientChannelStorage } from './client-channel-storage.js';
import {
  erc3009DepositNonce,
  permit2DepositTypedData,
  receiveWithAuthorizationTypes,
} from './client-payload.js';
import {
  ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
  PERMIT2_DEPOSIT_COLLECTOR_ADDRESS,
  voucherTypes,
} from './constants.js';
import { type DepositPayload, readBatchPayload } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';

const payer = privateKeyToAccount(generatePrivateKey());
const stranger = privateKeyToAccount(generatePrivateKey());
const CHAIN_ID = 84532;
const offer = (extra: Record<string, unknown> = {}): PaymentRequirements => ({
  scheme: 'batch-settlement',
  network: `eip155:${CHAIN_ID}`,
  amount: '1000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  maxTimeoutSeconds: 3600,
  extra: {
    receiverAuthorizer: '0x1111111111111111111111111111111111111111',
    withdrawDelay: 900,
    name: 'USDC',
    version: '2',
    ...extra,
  },
});
const ctx = { x402Version: 2 as const };

async function voucherSigned(channelId: Hex, amount: bigint, signature: Hex) {
  return recoverTypedDataAddress({
    domain: batchSettlementDomain(CHAIN_ID),
    types: voucherTypes,
    primaryType: 'Voucher',
    message: { channelId, maxClaimableAmount: amount },
    signature,
  });
}

/** The settlement the server answers for a payment charged `charged` of its price. */
function settled(state: Record<string, unknown>, charged = '1000'): SettleResponse {
  return {
    success: true,
    transaction: '',
    network: `eip155:${CHAIN_ID}`,
    amount: '',
    extra: { chargedAmount: charged, channelState: state },
  };
}

describe('createBatchSettlementEvmClient', () => {
  it('opens a channel with an ERC-3009 deposit to the collector and the first voucher, in the spec shape', async () => {
    const client = createBatchSettlementEvmClient({ signer: payer });
    const { payload } = await client.createPaymentPayload(offer(), ctx);
    assert.deepEqual(Object.keys(payload).sort(), ['channelConfig', 'deposit', 'type', 'voucher']);
    const read = readBatchPayload(payload, ['deposit']);
    assert.ok(read.ok, JSON.stringify(read));
    const deposit = payload as DepositPayload;
    assert.deepEqual(Object.keys(deposit.channelConfig), [
      'payer',
      'payerAuthorizer',
      'receiver',
      'receiverAuthorizer',
      'token',
      'withdrawDelay',
      'salt',
    ]);
    assert.equal(deposit.channelConfig.payer, payer.address);
    assert.equal(deposit.channelConfig.payerAuthorizer, payer.address);
    assert.equal(deposit.voucher.channelId, computeChannelId(deposit.channelConfig, CHAIN_ID));
    assert.equal(deposit.voucher.maxClaimableAmount, '1000');
    assert.equal(deposit.deposit.amount, '10000', 'ten times the price by default');
    assert.equal(
      await voucherSigned(deposit.voucher.channelId, 1000n, deposit.voucher.signature),
      payer.address,
    );
    assert.ok('erc3009Authorization' in deposit.deposit.authorization);
    const auth = deposit.deposit.authorization.erc3009Authorization;
    assert.deepEqual(Object.keys(auth), ['validAfter', 'validBefore', 'salt', 'signature']);
    const signer = await recoverTypedDataAddress({
      domain: { name: 'USDC', version: '2', chainId: CHAIN_ID, verifyingContract: offer().asset as Hex },
      types: receiveWithAuthorizationTypes,
      primaryType: 'ReceiveWithAuthorization',
      message: {
        from: payer.address,
        to: ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
        value: 10000n,
        validAfter: 0n,
        validBefore: BigInt(auth.validBefore),
        nonce: erc3009DepositNonce(deposit.voucher.channelId, auth.salt),
      },
      signature: auth.signature,
    });
    assert.equal(signer, payer.address);
  });

  it('derives the ERC-3009 nonce as keccak256(abi.encode(channelId, salt)), as @x402/evm 2.27 does', () => {
    // vector from the official buildErc3009DepositNonce
    assert.equal(
      erc3009DepositNonce(`0x${'ab'.repeat(32)}`, `0x${'01'.repeat(32)}`),
      '0xeec72ead22ae67588cf942f958980bfd089c4f86c8d8a2481c91d6cfeb87b14e',
    );
  });

  it("deposits at least the server's extra.minDeposit and at most depositPolicy.maxDeposit", async () => {
    const floored = createBatchSettlementEvmClient({ signer: payer, depositPolicy: { multiplier: 3 } });
    const { payload } = await floored.createPaymentPayload(offer({ minDeposit: '7000' }), ctx);
    assert.equal((payload as DepositPayload).deposit.amount, '7000');
    const capped = createBatchSettlementEvmClient({ signer: payer, depositPolicy: { maxDeposit: '2500' } });
    assert.equal(
      ((await capped.createPaymentPayload(offer(), ctx)).payload as DepositPayload).deposit.amount,
      '2500',
    );
    const tooSmall = createBatchSettlementEvmClient({ signer: payer, depositPolicy: { maxDeposit: '999' } });
    await assert.rejects(tooSmall.createPaymentPayload(offer(), ctx), {
      reason: BatchSettlementReasons.clientDepositAboveMax,
    });
  });

  it('signs a Permit2 witness transfer to the Permit2 collector when the offer says permit2', async () => {
    const client = createBatchSettlementEvmClient({ signer: payer });
    const { payload } = await client.createPaymentPayload(offer({ assetTransferMethod: 'permit2' }), ctx);
    assert.ok(readBatchPayload(payload, ['deposit']).ok);
    const deposit = payload as DepositPayload;
    assert.ok('permit2Authorization' in deposit.deposit.authorization);
    const permit = deposit.deposit.authorization.permit2Authorization;
    assert.equal(permit.spender, PERMIT2_DEPOSIT_COLLECTOR_ADDRESS);
    assert.equal(permit.witness.channelId, deposit.voucher.channelId);
    // what the facilitator verifies (the devnet tests settle it against the real Permit2)
    const typedData = permit2DepositTypedData(CHAIN_ID, permit);
    const signer = await recoverTypedDataAddress({ ...typedData, signature: permit.signature });
    assert.equal(signer, payer.address);
  });

  it('after a checked settlement, signs voucher-only payloads at chargedCumulative + amount', async () => {
    const client = createBatchSettlementEvmClient({ signer: payer });
    const first = await client.createPaymentPayload(offer(), ctx);
    const channelId = (first.payload as DepositPayload).voucher.channelId;
    // the server charged 700 of the 1000 offered
    await client.onSettlement?.(
      { x402Version: 2, accepted: offer(), payload: first.payload },
      settled({ channelId, balance: '10000', chargedCumulativeAmount: '700' }, '700'),
    );
    const next = await client.createPaymentPayload(offer(), ctx);
    assert.deepEqual(Object.keys(next.payload), ['type', 'channelConfig', 'voucher']);
    assert.ok(readBatchPayload(next.payload, ['voucher']).ok);
    const voucher = (next.payload as { voucher: { maxClaimableAmount: string; signature: Hex } }).voucher;
    assert.equal(voucher.maxClaimableAmount, '1700');
    assert.equal(await voucherSigned(channelId, 1700n, voucher.signature), payer.address);
  });

  for (const [name, state, charged] of [
    ['a charge above the price', { balance: '10000', chargedCumulativeAmount: '1001' }, '1001'],
    [
      'a cumulative total that is not previous + charge',
      { balance: '10000', chargedCumulativeAmount: '2000' },
      '1000',
    ],
    ['another channel id', { channelId: `0x${'00'.repeat(32)}`, balance: '10000' }, '1000'],
    ['a balance below the charged total', { balance: '500', chargedCumulativeAmount: '1000' }, '1000'],
  ] as const) {
    it(`stops signing on a channel after a settlement with ${name}`, async () => {
      const client = createBatchSettlementEvmClient({ signer: payer });
      const first = await client.createPaymentPayload(offer(), ctx);
      const channelId = (first.payload as DepositPayload).voucher.channelId;
      await client.onSettlement?.(
        { x402Version: 2, accepted: offer(), payload: first.payload },
        settled({ channelId, ...state }, charged),
      );
      await assert.rejects(client.createPaymentPayload(offer(), ctx), {
        reason: BatchSettlementReasons.clientChannelDistrusted,
      });
    });
  }

  it("adopts a corrective 402's charged total only over its own voucher signature", async () => {
    const client = createBatchSettlementEvmClient({ signer: payer });
    const { channelId } = await client.channelOf(offer());
    const proofBy = async (account: typeof payer) => ({
      channelState: { channelId, balance: '10000', totalClaimed: '0', chargedCumulativeAmount: '5000' },
      voucherState: {
        signedMaxClaimable: '5000',
        signature: await account.signTypedData({
          domain: batchSettlementDomain(CHAIN_ID),
          types: voucherTypes,
          primaryType: 'Voucher',
          message: { channelId, maxClaimableAmount: 5000n },
        }),
      },
    });
    const forged = await client.createPaymentPayload(offer(await proofBy(stranger)), ctx);
    assert.equal(forged.payload.type, 'deposit', 'a proof signed by someone else is ignored');
    assert.equal((forged.payload as DepositPayload).voucher.maxClaimableAmount, '1000');
    const proven = await client.createPaymentPayload(offer(await proofBy(payer)), ctx);
    assert.equal(proven.payload.type, 'voucher');
    assert.equal((proven.payload as DepositPayload).voucher.maxClaimableAmount, '6000');
  });

  it('refuses an offer without a receiver authorizer or with a withdrawal delay out of range', async () => {
    const client = createBatchSettlementEvmClient({ signer: payer });
    for (const extra of [{ receiverAuthorizer: undefined }, { withdrawDelay: 60 }, { name: undefined }]) {
      await assert.rejects(client.createPaymentPayload(offer(extra), ctx), {
        reason: BatchSettlementReasons.clientOfferInvalid,
      });
    }
  });

  it('keeps channel records in files, so a restarted client continues its channel', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-client-'));
    try {
      const before = createBatchSettlementEvmClient({
        signer: payer,
        storage: createFileClientChannelStorage(dir),
      });
      const first = await before.createPaymentPayload(offer(), ctx);
      const channelId = (first.payload as DepositPayload).voucher.channelId;
      await before.onSettlement?.(
        { x402Version: 2, accepted: offer(), payload: first.payload },
        settled({ channelId, balance: '10000', chargedCumulativeAmount: '1000' }),
      );
      const restarted = createBatchSettlementEvmClient({
        signer: payer,
        storage: createFileClientChannelStorage(dir),
      });
      const next = await restarted.createPaymentPayload(offer(), ctx);
      assert.equal(next.payload.type, 'voucher');
      assert.equal((next.payload as DepositPayload).voucher.maxClaimableAmount, '2000');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
