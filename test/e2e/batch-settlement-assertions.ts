/**
 * The money checks the batch-settlement load and kill tests share: the paid answers against the handler
 * runs and the shared store (each voucher accepted at most once, charged == 200s x price per channel),
 * and the claim + sweep that must move exactly what was charged, per channel on the escrow.
 */
import assert from 'node:assert/strict';
import { createHttpFacilitatorClient } from '@x402kit/core';
import { readTokenBalance } from '@x402kit/devnet';
import { BATCH_SETTLEMENT_ADDRESS, type ClaimRun, startClaimScheduler } from '@x402kit/evm/batch-settlement';
import { createPublicClient, type Hex, http, parseAbi, parseAbiItem } from 'viem';
import { type BatchStack, PRICE } from './batch-settlement-stack.js';
import type { LoadStats } from './batch-settlement-workers.js';

/** The escrow's `channels(channelId)` view (balance, totalClaimed). */
export const channelsAbi = parseAbi([
  'function channels(bytes32 channelId) view returns (uint128 balance, uint128 totalClaimed)',
]);
/** The token's Transfer event (deposits are transfers from the payer). */
export const transferEvent = parseAbiItem(
  'event Transfer(address indexed from, address indexed to, uint256 value)',
);

/** Refusals a paying client may meet under contention (and retries past). */
export const CONTENTION_REFUSALS = [
  'invalid_batch_settlement_evm_channel_busy',
  'invalid_batch_settlement_evm_cumulative_amount_mismatch',
  // two workers of one channel sign the same voucher (deterministic signatures): the copy that reaches
  // the same instance while the first is in flight is refused by x402kit's replay guard before the scheme
  'duplicate_settlement',
];

/**
 * The workers reached `expected` 200s with nothing unexpected and only contention refusals; the
 * number of refusals.
 */
export function assertLoadRan(stats: LoadStats, expected: number): number {
  assert.deepEqual(stats.unexpected, []);
  assert.equal(stats.paid.length, expected);
  for (const reason of Object.keys(stats.refusals)) assert.ok(CONTENTION_REFUSALS.includes(reason), reason);
  return Object.values(stats.refusals).reduce((a, b) => a + b, 0);
}

/**
 * Each (channelId, maxClaimableAmount) answered 200 at most once; the store charged each channel n x
 * price where its 200s are distinct vouchers among price, 2 x price, ... n x price. A charged voucher no
 * client got a 200 for is allowed only when `servedUnanswered(channelId, max)` (a request whose answer
 * a killed instance never sent); those are returned. Returns the store's total charge too.
 */
export async function assertChargedOncePerVoucher(
  stack: BatchStack,
  stats: LoadStats,
  servedUnanswered: (channelId: string, max: string) => boolean = () => false,
): Promise<{ total: bigint; unanswered: string[] }> {
  const keys = stats.paid.map((p) => `${p.channelId}:${p.max}`);
  assert.equal(new Set(keys).size, keys.length, 'a voucher answered 200 twice');
  const answered = new Set(keys);
  const unanswered: string[] = [];
  let total = 0n;
  for (const c of await stack.store.list()) {
    const channelId = c.channelId.toLowerCase();
    const charged = BigInt(c.chargedCumulativeAmount);
    assert.equal(charged % PRICE, 0n, channelId);
    const n = Number(charged / PRICE);
    for (const p of stats.paid.filter((x) => x.channelId === channelId))
      assert.ok(
        BigInt(p.max) <= charged,
        `${channelId}: voucher ${p.max} answered 200 but not charged (${charged})`,
      );
    for (let k = 1; k <= n; k++) {
      const max = (BigInt(k) * PRICE).toString();
      if (answered.has(`${channelId}:${max}`)) continue;
      assert.ok(servedUnanswered(channelId, max), `${channelId}: voucher ${max} charged without a 200`);
      unanswered.push(`${channelId}:${max}`);
    }
    total += charged;
  }
  assert.equal(total, BigInt(stats.paid.length + unanswered.length) * PRICE, 'charged == 200s x price');
  return { total, unanswered };
}

/**
 * Claim every channel in one transaction and sweep: the receiver gains exactly `expected`, each
 * channel's on-chain totalClaimed is its charge, and a second claim finds nothing to do.
 */
export async function assertClaimMovesExactly(stack: BatchStack, expected: bigint): Promise<ClaimRun> {
  const { devnet } = stack;
  const payTo = () => readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address);
  const escrow = () => readTokenBalance(devnet.rpcUrl, devnet.token.address, BATCH_SETTLEMENT_ADDRESS);
  const [payToBefore, escrowBefore] = [await payTo(), await escrow()];
  const scheduler = startClaimScheduler({
    store: stack.store,
    facilitator: createHttpFacilitatorClient({ url: stack.facilitator.url }),
    network: devnet.network,
    policy: { intervalMs: 3_600_000 },
  });
  const run = await scheduler.claimNow();
  const again = await scheduler.claimNow();
  await scheduler.stop();
  assert.deepEqual(run.failures, []);
  const channels = await stack.store.list();
  assert.deepEqual(run.batches, [channels.length], 'every channel in one claim transaction');
  assert.equal(run.sweepTransactions.length, 1);
  assert.deepEqual(again.batches, [], 'nothing left to claim');
  assert.equal((await payTo()) - payToBefore, expected, 'the receiver gains exactly what was charged');
  assert.equal(escrowBefore - (await escrow()), expected);
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
  for (const c of channels) {
    const [, totalClaimed] = (await chain.readContract({
      address: BATCH_SETTLEMENT_ADDRESS,
      abi: channelsAbi,
      functionName: 'channels',
      args: [c.channelId as Hex],
    })) as readonly [bigint, bigint];
    assert.equal(totalClaimed.toString(), c.chargedCumulativeAmount, `${c.channelId} claimed on chain`);
    assert.equal(c.totalClaimed, c.chargedCumulativeAmount, `${c.channelId} mirrored in the store`);
  }
  return run;
}
