import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentPayload, PaymentRequirements, SettleResponse } from '@x402kit/core';
import { devnetAccount, readTokenBalance } from '@x402kit/devnet';
import {
  devnetBatchRequirements,
  devnetChannelConfig,
  useBatchDevnet,
} from '@x402kit/testing/batch-settlement-servers';
import { createWalletClient, type Hex, http, type LocalAccount, toHex, zeroAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { buildPermit2Approval } from '../permit2/approval.js';
import { type ChannelConfig, computeChannelId } from './channel.js';
import { signErc3009Deposit, signPermit2Deposit, signVoucher } from './client-payload.js';
import { BATCH_SETTLEMENT_ADDRESS } from './constants.js';
import { batchPaymentKey } from './facilitator-payment-key.js';
import { createBatchSettlementReconciler } from './facilitator-reconcile.js';
import type { ClaimEntry } from './payload.js';
import { BatchSettlementReasons as R } from './reasons.js';

const env = useBatchDevnet({ extraPayers: 3 });
const v2 = { x402Version: 2 } as const;
const payers = [1, 4, 5, 6].map((i) => privateKeyToAccount(devnetAccount(i).privateKey));
const stranger = privateKeyToAccount(devnetAccount(12).privateKey); // holds no tokens
let saltCounter = 0;

const balanceOf = (address: string) =>
  readTokenBalance(env.devnet.rpcUrl, env.devnet.token.address, address as Hex);

function requirements(patch: Record<string, unknown> = {}): PaymentRequirements {
  return { ...devnetBatchRequirements(env.devnet, env.devnet.accounts.facilitator.address), ...patch };
}

function channelOf(payer: LocalAccount, patch: Partial<ChannelConfig> = {}): ChannelConfig {
  return devnetChannelConfig(env.devnet, payer.address, ++saltCounter, patch);
}

const deadline = () => Math.floor(Date.now() / 1000) + 600;

async function depositPayment(
  payer: LocalAccount,
  config: ChannelConfig,
  amount: bigint,
  options: {
    cumulative?: bigint;
    permit2?: boolean;
    voucherSigner?: LocalAccount;
    reqs?: PaymentRequirements;
  } = {},
): Promise<PaymentPayload> {
  const channelId = computeChannelId(config, env.chainId);
  const terms = {
    chainId: env.chainId,
    channelId,
    token: env.devnet.token.address,
    amount,
    deadline: deadline(),
    tokenDomain: { name: env.devnet.token.name, version: env.devnet.token.version },
  };
  const authorization = options.permit2
    ? await signPermit2Deposit(payer, terms)
    : await signErc3009Deposit(payer, terms);
  const voucher = await signVoucher(
    options.voucherSigner ?? payer,
    channelId,
    options.cumulative ?? 1000n,
    env.chainId,
  );
  const reqs = options.reqs ?? requirements();
  return {
    x402Version: 2,
    accepted: reqs,
    payload: {
      type: 'deposit',
      channelConfig: config,
      voucher,
      deposit: { amount: amount.toString(), authorization },
    },
  };
}

async function voucherPayment(
  payer: LocalAccount,
  config: ChannelConfig,
  cumulative: bigint,
  type = 'voucher',
) {
  const voucher = await signVoucher(payer, computeChannelId(config, env.chainId), cumulative, env.chainId);
  return {
    x402Version: 2,
    accepted: requirements(),
    payload: { type, channelConfig: config, voucher },
  } as PaymentPayload;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests reach into payloads at any depth to break one field
type Editable = Record<string, any>;

/** What the service's reconciler answers for a payment recorded with `transaction` (after a restart). */
function reconcile(payment: PaymentPayload, transaction: string) {
  const key = batchPaymentKey(payment.payload, env.devnet.network);
  assert.ok(key);
  const reconciler = createBatchSettlementReconciler({ rpc: { [env.devnet.network]: env.devnet.rpcUrl } });
  return reconciler({ x402Version: 2, payload: payment, requirements: requirements() }, { key, transaction });
}

/** `extra.channelState` of a settlement. */
const stateOf = (r: SettleResponse | undefined) =>
  (r as { extra?: { channelState?: unknown } } | undefined)?.extra?.channelState;

/** A payload edited with `patch` (a deep copy). */
function edit(payment: PaymentPayload, patch: (p: Editable) => void): PaymentPayload {
  const copy = structuredClone(payment);
  patch(copy.payload as Editable);
  return copy;
}

async function refused(payment: PaymentPayload, reason: string, reqs = requirements()) {
  const verdict = await env.facilitator.verify(payment, reqs, v2);
  assert.equal(verdict.isValid, false);
  assert.equal(verdict.invalidReason, reason, verdict.invalidMessage);
}

async function depositOk(payer: LocalAccount, config: ChannelConfig, amount: bigint, permit2 = false) {
  const payment = await depositPayment(payer, config, amount, { permit2 });
  const settled = await env.facilitator.settle(payment, requirements(), v2);
  assert.equal(settled.success, true, settled.errorMessage);
  return settled;
}

describe('batch-settlement facilitator on the devnet', () => {
  it('advertises its receiver authorizer and signers', () => {
    assert.deepEqual(env.facilitator.getExtra?.(env.devnet.network), {
      receiverAuthorizer: env.devnet.accounts.facilitator.address,
    });
    assert.deepEqual(env.facilitator.getSigners(env.devnet.network), [
      env.devnet.accounts.facilitator.address,
    ]);
  });

  it('refuses each broken rule of a deposit with its reason code', async () => {
    const payer = payers[0] as LocalAccount;
    const config = channelOf(payer);
    const good = await depositPayment(payer, config, 5000n);
    assert.equal((await env.facilitator.verify(good, requirements(), v2)).isValid, true);
    await refused(
      edit(good, (p) => {
        p.channelConfig.salt = toHex(999_999, { size: 32 });
      }),
      R.channelIdMismatch,
    );
    await refused(good, R.tokenMismatch, requirements({ asset: env.devnet.accounts.payTo.address }));
    await refused(good, R.receiverMismatch, requirements({ payTo: payer.address }));
    await refused(
      good,
      R.receiverAuthorizerMismatch,
      requirements({ extra: { ...requirements().extra, receiverAuthorizer: payer.address } }),
    );
    await refused(
      good,
      R.withdrawDelayMismatch,
      requirements({ extra: { ...requirements().extra, withdrawDelay: 1000 } }),
    );
    const short = channelOf(payer, { withdrawDelay: 60 });
    await refused(
      await depositPayment(payer, short, 5000n),
      R.withdrawDelayOutOfRange,
      requirements({ extra: { ...requirements().extra, withdrawDelay: 60 } }),
    );
    await refused(
      await depositPayment(payer, config, 5000n, { voucherSigner: stranger }),
      R.voucherSignature,
    );
    await refused(
      await depositPayment(payer, config, 5000n, { cumulative: 5001n }),
      R.cumulativeExceedsBalance,
    );
    await refused(
      edit(good, (p) => {
        p.deposit.amount = '5001';
      }),
      R.receiveAuthorizationSignature,
    );
    await refused(
      edit(good, (p) => {
        p.deposit.authorization.erc3009Authorization.validBefore = '1';
      }),
      R.validBefore,
    );
    await refused(
      edit(good, (p) => {
        p.deposit.authorization.erc3009Authorization.validAfter = String(deadline());
      }),
      R.validAfter,
    );
    await refused(
      good,
      R.missingEip712Domain,
      requirements({
        extra: { receiverAuthorizer: env.devnet.accounts.facilitator.address, withdrawDelay: 900 },
      }),
    );
    const poor = channelOf(stranger);
    await refused(await depositPayment(stranger, poor, 5000n), R.insufficientBalance);
    await refused(
      good,
      R.permit2AuthorizationRequired,
      requirements({ extra: { ...requirements().extra, assetTransferMethod: 'permit2' } }),
    );
  });

  it('refuses each broken rule of a Permit2 deposit with its reason code', async () => {
    const payer = payers[3] as LocalAccount;
    const config = channelOf(payer);
    const good = await depositPayment(payer, config, 5000n, { permit2: true });
    await refused(good, R.permit2AllowanceRequired); // no approval to Permit2 yet
    const wallet = createWalletClient({
      account: payer,
      chain: env.devnet.chain,
      transport: http(env.devnet.rpcUrl),
    });
    const approval = buildPermit2Approval({ token: env.devnet.token.address });
    await wallet.sendTransaction({ to: approval.to, data: approval.data });
    assert.equal((await env.facilitator.verify(good, requirements(), v2)).isValid, true);
    const auth = (p: Editable) => p.deposit.authorization.permit2Authorization;
    await refused(
      edit(good, (p) => {
        auth(p).spender = BATCH_SETTLEMENT_ADDRESS;
      }),
      R.permit2InvalidSpender,
    );
    await refused(
      edit(good, (p) => {
        auth(p).permitted.amount = '1';
      }),
      R.permit2AmountMismatch,
    );
    await refused(
      edit(good, (p) => {
        auth(p).deadline = '1';
      }),
      R.permit2DeadlineExpired,
    );
    await refused(
      edit(good, (p) => {
        auth(p).nonce = '1';
      }),
      R.permit2InvalidSignature,
    );
    await refused(
      edit(good, (p) => {
        auth(p).from = stranger.address;
      }),
      R.permit2InvalidSignature,
    );
  });

  it('refuses garbage payloads with reason codes, never a throw', async () => {
    const base = { x402Version: 2, accepted: requirements() } as const;
    const cases: Array<[unknown, string]> = [
      [null, R.payloadType],
      [{ type: 'sweep' }, R.payloadType],
      [{ type: 'deposit' }, R.depositPayload],
      [{ type: 'voucher', channelConfig: {}, voucher: {} }, R.voucherPayload],
      [{ type: 'refund', channelConfig: 'x' }, R.refundPayload],
    ];
    for (const [payload, reason] of cases) {
      await refused({ ...base, payload } as PaymentPayload, reason);
      const settled = await env.facilitator.settle(
        { ...base, payload } as PaymentPayload,
        requirements(),
        v2,
      );
      assert.equal(settled.success, false);
    }
    const claim = await env.facilitator.settle(
      { ...base, payload: { type: 'claim', claims: [] } },
      requirements(),
      v2,
    );
    assert.equal(claim.errorReason, R.claimPayload);
    const sweep = await env.facilitator.settle(
      { ...base, payload: { type: 'settle', receiver: 'me' } },
      requirements(),
      v2,
    );
    assert.equal(sweep.errorReason, R.settlePayload);
    await refused(
      { ...base, accepted: { ...requirements(), scheme: 'exact' }, payload: {} } as PaymentPayload,
      R.scheme,
    );
    await refused(
      { ...base, accepted: { ...requirements(), network: 'eip155:1' }, payload: {} } as PaymentPayload,
      R.networkMismatch,
    );
  });

  it('deposits through ERC-3009 and Permit2 into the escrow; the same deposit settled 20 times moves once', async () => {
    const payer = payers[0] as LocalAccount;
    const config = channelOf(payer);
    const payment = await depositPayment(payer, config, 7000n);
    const [payerBefore, escrowBefore] = await Promise.all([
      balanceOf(payer.address),
      balanceOf(BATCH_SETTLEMENT_ADDRESS),
    ]);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => env.facilitator.settle(payment, requirements(), v2)),
    );
    const ok = answers.filter((a) => a.success);
    assert.ok(ok.length >= 1);
    assert.equal(new Set(ok.map((a) => a.transaction)).size, 1, 'one transaction');
    assert.equal(ok[0]?.amount, '7000');
    const channelId = computeChannelId(config, env.chainId);
    assert.deepEqual(stateOf(ok[0]), {
      channelId,
      balance: '7000',
      totalClaimed: '0',
      withdrawRequestedAt: 0,
      refundNonce: '0',
    });
    assert.equal(await balanceOf(payer.address), payerBefore - 7000n);
    assert.equal(await balanceOf(BATCH_SETTLEMENT_ADDRESS), escrowBefore + 7000n);
    // a later copy cannot move it again: the authorization is spent
    const again = await env.facilitator.settle(payment, requirements(), v2);
    assert.equal(again.success, false);
    await refused(payment, R.depositSimulationFailed); // verify simulates it in its one multicall
    assert.equal(await balanceOf(BATCH_SETTLEMENT_ADDRESS), escrowBefore + 7000n);
    // Permit2 (payer 3 approved Permit2 in the test above)
    const p2payer = payers[3] as LocalAccount;
    const before2 = await balanceOf(BATCH_SETTLEMENT_ADDRESS);
    await depositOk(p2payer, channelOf(p2payer), 3000n, true);
    assert.equal(await balanceOf(BATCH_SETTLEMENT_ADDRESS), before2 + 3000n);
    // the voucher now verifies against the channel, with its snapshot
    const verdict = await env.facilitator.verify(
      await voucherPayment(payer, config, 2000n),
      requirements(),
      v2,
    );
    assert.equal(verdict.isValid, true, verdict.invalidMessage);
    assert.deepEqual(verdict.extra, {
      channelId,
      balance: '7000',
      totalClaimed: '0',
      withdrawRequestedAt: 0,
      refundNonce: '0',
    });
    await refused(await voucherPayment(payer, config, 7001n), R.cumulativeExceedsBalance);
    await refused(await voucherPayment(payer, channelOf(payer), 10n), R.channelNotFound);
    // payerAuthorizer zero: the voucher is checked against the payer through the node (ERC-1271 / ERC-6492 path)
    const walletChannel = channelOf(payer, { payerAuthorizer: zeroAddress });
    await depositOk(payer, walletChannel, 2000n);
    const byPayer = await env.facilitator.verify(
      await voucherPayment(payer, walletChannel, 1500n),
      requirements(),
      v2,
    );
    assert.equal(byPayer.isValid, true, byPayer.invalidMessage);
    const forged = await signVoucher(
      stranger,
      computeChannelId(walletChannel, env.chainId),
      1500n,
      env.chainId,
    );
    const byStranger = edit(await voucherPayment(payer, walletChannel, 1500n), (p) => {
      p.voucher = forged;
    });
    await refused(byStranger, R.voucherSignature);
    const reconciled = await reconcile(payment, ok[0]?.transaction ?? '');
    assert.equal(reconciled?.success, true, 'the reconciler finds the deposit of the recorded transaction');
    assert.equal(reconciled?.amount, '7000');
  });

  it('claims three channels in one transaction, then one sweep moves exactly their sum', async () => {
    const rows: ClaimEntry[] = [];
    const amounts = [1200n, 3400n, 560n];
    for (const [i, amount] of amounts.entries()) {
      const payer = payers[i] as LocalAccount;
      const config = channelOf(payer);
      await depositOk(payer, config, 10_000n);
      const voucher = await signVoucher(payer, computeChannelId(config, env.chainId), amount, env.chainId);
      rows.push({
        voucher: { channel: config, maxClaimableAmount: voucher.maxClaimableAmount },
        signature: voucher.signature,
        totalClaimed: amount.toString(),
      });
    }
    const claimPayment = {
      x402Version: 2,
      accepted: requirements(),
      payload: { type: 'claim', claims: rows },
    } as PaymentPayload;
    const claim = await env.facilitator.settle(claimPayment, requirements(), v2);
    assert.equal(claim.success, true, claim.errorMessage);
    assert.equal(claim.amount, '');
    const found = await reconcile(claimPayment, claim.transaction);
    assert.deepEqual(found, {
      success: true,
      transaction: claim.transaction,
      network: env.devnet.network,
      amount: '',
    });
    const receiver = env.devnet.accounts.payTo.address;
    const receiverBefore = await balanceOf(receiver);
    const sweep = {
      x402Version: 2,
      accepted: requirements(),
      payload: { type: 'settle', receiver, token: env.devnet.token.address },
    } as PaymentPayload;
    const [a, b] = await Promise.all([
      env.facilitator.settle(sweep, requirements(), v2),
      env.facilitator.settle(sweep, requirements(), v2),
    ]);
    const sum = amounts.reduce((x, y) => x + y, 0n);
    const moved = [a, b].filter((s) => s.success);
    assert.equal(moved.length, 1, 'one of two concurrent sweeps moves the funds');
    assert.equal(moved[0]?.amount, sum.toString());
    assert.equal([a, b].find((s) => !s.success)?.errorReason, R.nothingToSettle);
    assert.equal(await balanceOf(receiver), receiverBefore + sum);
  });

  it('refunds the rest of a channel (claiming its last voucher first); a stale refund nonce is refused', async () => {
    const payer = payers[1] as LocalAccount;
    const config = channelOf(payer);
    await depositOk(payer, config, 6000n);
    const channelId = computeChannelId(config, env.chainId);
    const voucher = await signVoucher(payer, channelId, 2500n, env.chainId);
    const request = await voucherPayment(payer, config, 2500n, 'refund');
    const verdict = await env.facilitator.verify(request, requirements(), v2);
    assert.equal(verdict.isValid, true, verdict.invalidMessage);
    const completed = edit(request, (p) => {
      p.refundNonce = '0';
      p.claims = [
        {
          voucher: { channel: config, maxClaimableAmount: '2500' },
          signature: voucher.signature,
          totalClaimed: '2500',
        },
      ];
    });
    const payerBefore = await balanceOf(payer.address);
    const refund = await env.facilitator.settle(completed, requirements(), v2);
    assert.equal(refund.success, true, refund.errorMessage);
    assert.equal(refund.amount, '3500');
    assert.deepEqual(stateOf(refund), {
      channelId,
      balance: '2500',
      totalClaimed: '2500',
      withdrawRequestedAt: 0,
      refundNonce: '1',
    });
    assert.equal(await balanceOf(payer.address), payerBefore + 3500n);
    const found = await reconcile(completed, refund.transaction);
    assert.equal(found?.success, true);
    assert.equal(found?.amount, '3500');
    assert.deepEqual(stateOf(found), stateOf(refund));
    const stale = await env.facilitator.settle(completed, requirements(), v2);
    assert.equal(stale.success, false);
    assert.equal(stale.errorReason, R.refundPayload);
    const nothing = await env.facilitator.settle(
      edit(completed, (p) => {
        p.refundNonce = '1';
      }),
      requirements(),
      v2,
    );
    assert.equal(nothing.errorReason, R.refundNoBalance);
  });
});
