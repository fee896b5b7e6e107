/**
 * The claim scheduler on the devnet, through our facilitator: it claims only the channels of its own
 * chain from a store holding two chains' channels; one bad row (an authorizer the facilitator cannot
 * sign for, or a channel the escrow would not pay) never blocks the good ones, which are claimed and
 * swept exactly, and it is reported once, not retried in a loop; a payer's real `initiateWithdraw` gets
 * its channel claimed at once whatever the amount and age policy; a claim the facilitator cannot answer
 * is a failure of the run, told to `onError` with its reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PaymentPayload, type PaymentRequirements, X402Error } from '@x402kit/core';
import { devnetAccount, readTokenBalance } from '@x402kit/devnet';
import {
  devnetBatchDeposit,
  devnetChannelConfig,
  useBatchDevnet,
} from '@x402kit/testing/batch-settlement-servers';
import { sampleChannel, seedChannel } from '@x402kit/testing/channel-samples';
import { createWalletClient, type Hex, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { batchSettlementAbi } from './abi.js';
import { type ChannelConfig, computeChannelId } from './channel.js';
import type { ChannelStore } from './channel-store.js';
import { type ClaimSchedulerOptions, startClaimScheduler } from './claim-scheduler.js';
import { signVoucher } from './client-payload.js';
import { BATCH_SETTLEMENT_ADDRESS } from './constants.js';
import { createMemoryChannelStore } from './memory-channel-store.js';
import { BatchSettlementReasons as R } from './reasons.js';

const env = useBatchDevnet({ port: 0 });
const payer = privateKeyToAccount(devnetAccount(1).privateKey); // the devnet's funded payer
let salt = 0;

const payTo = () =>
  readTokenBalance(env.devnet.rpcUrl, env.devnet.token.address, env.devnet.accounts.payTo.address as Hex);

/** Our facilitator, recording the channel ids of every claim it is asked for. */
function recording(): { settle: ClaimSchedulerOptions['facilitator']['settle']; claims: Hex[][] } {
  const claims: Hex[][] = [];
  return {
    claims,
    settle(payload: PaymentPayload, requirements: PaymentRequirements) {
      const p = payload.payload as { type: string; claims?: Array<{ voucher: { channel: ChannelConfig } }> };
      if (p.type === 'claim')
        claims.push(
          (p.claims ?? []).map((c) => computeChannelId(c.voucher.channel, chainIdOf(requirements))),
        );
      return env.facilitator.settle(payload, requirements, { x402Version: 2 });
    },
  };
}
const chainIdOf = (r: PaymentRequirements) => Number(r.network.split(':')[1]);

const configOf = (patch: Partial<ChannelConfig> = {}) =>
  devnetChannelConfig(env.devnet, payer.address, ++salt, patch);

/** Deposit 10 000 into the fresh channel `config` on the devnet: our client's first payment, settled. */
async function deposit(config: ChannelConfig): Promise<void> {
  const { payment, requirements } = await devnetBatchDeposit(env.devnet, payer, {
    salt: config.salt,
    receiverAuthorizer: config.receiverAuthorizer,
  });
  const opened = (payment.payload as { channelConfig: ChannelConfig }).channelConfig;
  assert.equal(computeChannelId(opened, env.chainId), computeChannelId(config, env.chainId));
  const settled = await env.facilitator.settle(payment, requirements, { x402Version: 2 });
  assert.equal(settled.success, true, settled.errorMessage);
}

/** The channel as a server keeps it after serving `charged` (its voucher signed for `charged`), on `onChainId`. */
async function serve(store: ChannelStore, config: ChannelConfig, charged: bigint, onChainId = env.chainId) {
  const channelId = computeChannelId(config, onChainId);
  const voucher = await signVoucher(payer, channelId, charged, onChainId);
  const now = Date.now();
  const fields = {
    channelId,
    config,
    chargedCumulativeAmount: `${charged}`,
    signedMaxClaimable: `${charged}`,
  };
  await seedChannel(
    store,
    sampleChannel({
      ...fields,
      signature: voucher.signature,
      balance: '100000',
      onchainSyncedAt: now,
      lastRequestAt: now,
    }),
  );
  return channelId;
}

const manual = { intervalMs: 3_600_000, maxAgeMs: 3_600_000, maxUnclaimed: 10n ** 30n };

/** A scheduler of the devnet's network over `store` through `fac`, claiming only when told (unless `extra.policy`). */
function schedulerOf(
  store: ChannelStore,
  fac: ReturnType<typeof recording>,
  extra: Partial<ClaimSchedulerOptions> = {},
) {
  return startClaimScheduler({
    store,
    facilitator: fac,
    network: env.devnet.network,
    policy: manual,
    ...extra,
  });
}

describe('claim scheduler (devnet, our facilitator)', () => {
  it('claims only the channels bound to its chain from a store holding two chains', async () => {
    const store = createMemoryChannelStore();
    const ours = [configOf(), configOf()];
    for (const c of ours) await deposit(c);
    const ids = await Promise.all(ours.map((c) => serve(store, c, 3000n)));
    const foreign = await serve(store, configOf(), 2000n, 1); // the same terms, bound to chain 1
    const before = await payTo();
    const fac = recording();
    const scheduler = schedulerOf(store, fac);
    const run = await scheduler.claimNow();
    await scheduler.stop();
    assert.deepEqual(run.failures, []);
    assert.deepEqual(run.rejected, []);
    assert.deepEqual(run.batches, [2]);
    assert.deepEqual(
      fac.claims.map((c) => [...c].sort()),
      [[...ids].sort()],
      'no row of chain 1 was sent',
    );
    assert.equal(await payTo(), before + 6000n);
    assert.equal((await store.get(foreign))?.totalClaimed, '0');

    // the chain-1 scheduler sees only the chain-1 row (our facilitator does not serve chain 1: refused)
    const other = recording();
    const mainnet = startClaimScheduler({ store, facilitator: other, network: 'eip155:1', policy: manual });
    const refused = await mainnet.claimNow();
    await mainnet.stop();
    assert.deepEqual(other.claims, [[foreign]]);
    assert.deepEqual(
      refused.rejected.map((r) => [r.channelId, r.reason]),
      [[foreign, R.networkMismatch]],
    );
  });

  it('a channel of an authorizer the facilitator cannot sign for does not block five good ones', async () => {
    const store = createMemoryChannelStore();
    const good = Array.from({ length: 5 }, () => configOf());
    for (const c of good) await deposit(c);
    for (const [i, c] of good.entries()) await serve(store, c, BigInt(1000 * (i + 1)));
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    const bad = await serve(store, configOf({ receiverAuthorizer: stranger }), 4000n);
    const before = await payTo();
    const fac = recording();
    const errors: Error[] = [];
    const scheduler = schedulerOf(store, fac, { onError: (e) => errors.push(e) });
    const run = await scheduler.claimNow();
    assert.deepEqual(run.failures, []);
    assert.deepEqual(run.batches, [5], 'the five good rows in one claim');
    assert.deepEqual(
      run.rejected.map((r) => [r.channelId, r.reason]),
      [[bad, R.authorizerAddressMismatch]],
    );
    assert.equal(run.sweepTransactions.length, 1);
    assert.equal(await payTo(), before + 15_000n, 'exactly the five charges swept');
    assert.ok(
      errors.some((e) => e.message.includes(bad)),
      'the refused row is told',
    );
    const calls = fac.claims.length;
    const again = await scheduler.claimNow();
    await scheduler.stop();
    assert.equal(fac.claims.length, calls, 'the refused row is not retried at once');
    assert.deepEqual(again.rejected, []);
  });

  it('a row the escrow would refuse in a batch of six: split around it, the five claimed exactly', async () => {
    const store = createMemoryChannelStore();
    const own = privateKeyToAccount(generatePrivateKey()); // the server signs its own claims
    const good = Array.from({ length: 5 }, () => configOf({ receiverAuthorizer: own.address }));
    for (const c of good) await deposit(c);
    const ids: Hex[] = [];
    for (const c of good) ids.push(await serve(store, c, 2000n));
    // same authorizer, receiver and token, but never deposited: its claim exceeds its (zero) balance
    const bad = await serve(store, configOf({ receiverAuthorizer: own.address }), 2000n);
    const before = await payTo();
    const fac = recording();
    const scheduler = schedulerOf(store, fac, { receiverAuthorizer: own });
    const run = await scheduler.claimNow();
    await scheduler.stop();
    assert.deepEqual(run.failures, []);
    assert.equal(fac.claims[0]?.length, 6, 'first the whole group in one claim');
    assert.equal(
      run.batches.reduce((a, b) => a + b, 0),
      5,
    );
    assert.deepEqual(
      run.rejected.map((r) => [r.channelId, r.reason]),
      [[bad, R.claimSimulationFailed]],
    );
    assert.ok(fac.claims.length <= 7, `${fac.claims.length} claim calls`);
    assert.equal(await payTo(), before + 10_000n);
    for (const id of ids) assert.equal((await store.get(id))?.totalClaimed, '2000');
    assert.equal((await store.get(bad))?.totalClaimed, '0');
  });

  it("a payer's initiateWithdraw gets the channel claimed at once, below every amount and age threshold", async () => {
    const store = createMemoryChannelStore();
    const config = configOf();
    await deposit(config);
    const id = await serve(store, config, 1000n);
    const scheduler = schedulerOf(store, recording(), {
      rpcUrl: env.devnet.rpcUrl,
      policy: { ...manual, intervalMs: 50, withdrawalCheckMs: 0 },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.deepEqual(scheduler.batchSizes, [], 'no withdrawal, below the thresholds: no claim');
      const wallet = createWalletClient({
        account: payer,
        chain: env.devnet.chain,
        transport: http(env.devnet.rpcUrl),
      });
      await wallet.writeContract({
        address: BATCH_SETTLEMENT_ADDRESS,
        abi: batchSettlementAbi,
        functionName: 'initiateWithdraw',
        args: [config, 9000n],
      });
      const deadline = Date.now() + 10_000;
      while (scheduler.batchSizes.length === 0) {
        assert.ok(Date.now() < deadline, 'claimed within 10 s of the withdrawal');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(scheduler.batchSizes, [1]);
      const channel = await store.get(id);
      assert.equal(channel?.totalClaimed, '1000');
      assert.notEqual(channel?.withdrawRequestedAt, 0, 'the store mirrors the pending withdrawal');
    } finally {
      await scheduler.stop();
    }
  });

  it('a claim the facilitator cannot answer is a failure, told to onError as batch_settlement_claim_run_failed', async () => {
    const store = createMemoryChannelStore();
    await serve(store, configOf(), 3000n);
    const errors: Error[] = [];
    const unreachable: ClaimSchedulerOptions['facilitator'] = {
      settle: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:4021');
      },
    };
    const scheduler = startClaimScheduler({
      store,
      facilitator: unreachable,
      network: env.devnet.network,
      policy: manual,
      onError: (e) => errors.push(e),
    });
    const run = await scheduler.claimNow();
    await scheduler.stop();
    assert.deepEqual(run.failures, [
      'claim of 1: unexpected_settle_error connect ECONNREFUSED 127.0.0.1:4021',
    ]);
    assert.deepEqual(
      errors.map((e) => [e instanceof X402Error ? e.reason : e.name, e.message]),
      [[R.claimRunFailed, run.failures[0]]],
    );
  });
});
