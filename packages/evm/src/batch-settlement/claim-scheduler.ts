/**
 * The server's claim scheduler for `batch-settlement`: it claims many channels' latest vouchers in ONE
 * facilitator `claim` (one transaction per receiver authorizer, receiver and token, up to `maxBatch`
 * rows), then sweeps what was claimed to the receiver with a `settle` per receiver and token. It runs
 * when the unclaimed value passes `maxUnclaimed`, when the oldest unclaimed charge is `maxAgeMs` old,
 * and at once when a payer started a timed withdrawal (seen by a verify, or read from the escrow with
 * `rpcUrl`). It only claims channels bound to its network's chain (a store may hold several chains').
 * A row the facilitator refuses is isolated (the batch is split until every good row is claimed),
 * reported in {@link ClaimRun.rejected} and left alone for `rejectedRetryMs`. Each claim row presents
 * the committed voucher it read and claims what was charged then; a voucher committed meanwhile raises
 * the charge above it and is claimed next time (claims are cumulative, `totalClaimed` only grows).
 */
import { type Log, X402Error } from '@x402kit/core';
import type { Address, Hex } from 'viem';
import { computeChannelId } from './channel.js';
import type { ChannelStore, ServerChannel } from './channel-store.js';
import {
  type ClaimFacilitator,
  type ClaimTally,
  claimGroups,
  claimIsolating,
  failed,
  operation,
  operationRequirements,
  type RejectedClaim,
} from './claim-batch.js';
import { markWithdrawals, withdrawalReader } from './claim-withdrawals.js';

export type { RejectedClaim };

import { BatchSettlementReasons } from './reasons.js';
import { chainIdOf, type ServerReceiverAuthorizer } from './server-authorizer.js';

/** When the scheduler claims. */
export type ClaimPolicy = {
  /** Claim once the unclaimed value of all channels reaches this (atomic units); default 1 000 000. */
  maxUnclaimed?: bigint;
  /** Claim once the oldest unclaimed charge is this old (ms); default 1 hour. */
  maxAgeMs?: number;
  /** How often the policy is checked (ms); default 10 s. */
  intervalMs?: number;
  /** Rows per claim transaction at most; default 100. */
  maxBatch?: number;
  /** How often the escrow's pending withdrawals are read, with `rpcUrl` (ms); default 30 s. */
  withdrawalCheckMs?: number;
  /** How long a channel whose claim the facilitator refused is left out of claims (ms); default 15 min. */
  rejectedRetryMs?: number;
};

/** Options of {@link startClaimScheduler}. */
export type ClaimSchedulerOptions = {
  store: ChannelStore;
  /** The facilitator that submits claims and sweeps (its `settle`). */
  facilitator: ClaimFacilitator;
  /** The network claimed (`eip155:<id>`): only the store's channels bound to this chain are claimed. */
  network: string;
  /** The server's own receiver-authorizer key signs the claims; otherwise the facilitator does. */
  receiverAuthorizer?: ServerReceiverAuthorizer;
  /** A node of the network: the scheduler reads payers' pending withdrawals there and claims those channels at once. */
  rpcUrl?: string;
  policy?: ClaimPolicy;
  /** Told of each claim or sweep that failed and each row refused (the scheduler goes on). */
  onError?: (error: Error) => void;
  /** Where refused rows and failed claims are logged (warn). */
  log?: Log;
  now?: () => number;
};

/** What one run claimed and swept. */
export type ClaimRun = {
  /** Size of each claim batch (rows = channels) submitted. */
  batches: number[];
  /** Claim and sweep transactions, in order. */
  claimTransactions: string[];
  sweepTransactions: string[];
  /** Atomic units swept to receivers, per `receiver:token`. */
  swept: Record<string, string>;
  /** Claims or sweeps that failed as a whole (the facilitator unreachable, a transaction pending). */
  failures: string[];
  /** Rows refused on their own; they sit out claims for `rejectedRetryMs`. */
  rejected: RejectedClaim[];
};

/** A running claim scheduler. */
export type ClaimScheduler = {
  /** Claim every channel with unclaimed charges now, and sweep (waits for a run in progress first). */
  claimNow(): Promise<ClaimRun>;
  /** Sizes of every claim batch submitted so far (for metrics). */
  readonly batchSizes: readonly number[];
  /** Stop the timer and wait for a run in progress. */
  stop(): Promise<void>;
};

/**
 * Start claiming a store's channels of one network by policy.
 *
 * @example
 * const scheduler = startClaimScheduler({ store: scheme.store, facilitator, network: 'eip155:8453', rpcUrl, policy: { maxAgeMs: 600_000 } })
 * await scheduler.claimNow() // { batches: [10], claimTransactions: ['0x…'], sweepTransactions: ['0x…'], rejected: [], … }
 * await scheduler.stop()
 */
export function startClaimScheduler(options: ClaimSchedulerOptions): ClaimScheduler {
  const chainId = chainIdOf(options.network);
  if (Number.isNaN(chainId))
    throw new X402Error(
      BatchSettlementReasons.networkMismatch,
      `startClaimScheduler: network must be eip155:<chainId> (got ${options.network})`,
    );
  const now = options.now ?? Date.now;
  const policy = options.policy ?? {};
  const maxUnclaimed = policy.maxUnclaimed ?? 1_000_000n;
  const maxAgeMs = policy.maxAgeMs ?? 3_600_000;
  const bound = chainBinding(chainId);
  const held = new Map<Hex, number>(); // refused rows: until when they sit out
  const readWithdrawals = options.rpcUrl ? withdrawalReader(options.rpcUrl) : undefined;
  let withdrawalsReadAt = Number.NEGATIVE_INFINITY;
  const tell = (error: Error) => {
    options.onError?.(error);
    options.log?.({ level: 'warn', message: error.message });
  };
  const batchSizes: number[] = [];
  let running: Promise<ClaimRun> = Promise.resolve(emptyRun());
  let stopped = false;

  const claimable = async (): Promise<ServerChannel[]> => {
    const at = now();
    const channels = (await options.store.list()).filter(
      (c) => isClaimable(c) && bound(c) && (held.get(c.channelId) ?? 0) <= at,
    );
    if (readWithdrawals && at - withdrawalsReadAt >= (policy.withdrawalCheckMs ?? 30_000)) {
      withdrawalsReadAt = at;
      await markWithdrawals(readWithdrawals, channels, tell);
    }
    return channels;
  };
  const run = (force: boolean): Promise<ClaimRun> => {
    running = running.then(async () => {
      const channels = await claimable();
      if (!force && !isDue(channels, maxUnclaimed, maxAgeMs, now())) return emptyRun();
      const result = await claimAndSweep(options, channels, policy.maxBatch ?? 100);
      batchSizes.push(...result.batches);
      for (const failure of result.failures)
        tell(new X402Error(BatchSettlementReasons.claimRunFailed, failure));
      for (const r of result.rejected) {
        held.set(r.channelId, now() + (policy.rejectedRetryMs ?? 900_000));
        tell(new X402Error(r.reason, `claim of channel ${r.channelId} refused: ${r.message}`));
      }
      return result;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) run(false).catch((error: unknown) => tell(error as Error));
  }, policy.intervalMs ?? 10_000);
  timer.unref?.();
  return {
    claimNow: () => run(true),
    batchSizes,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => {});
    },
  };
}

function emptyRun(): ClaimRun {
  return { batches: [], claimTransactions: [], sweepTransactions: [], swept: {}, failures: [], rejected: [] };
}

/** Whether a channel's id is its config's on `chainId` (cached per channel id: a config never changes). */
function chainBinding(chainId: number): (channel: ServerChannel) => boolean {
  const cache = new Map<Hex, boolean>();
  return (channel) => {
    let ok = cache.get(channel.channelId);
    if (ok === undefined) {
      try {
        ok = computeChannelId(channel.config, chainId) === channel.channelId.toLowerCase();
      } catch {
        ok = false; // a config that does not hash is no channel of ours
      }
      cache.set(channel.channelId, ok);
    }
    return ok;
  };
}

/** A channel whose charges pass what was claimed on chain. */
function isClaimable(channel: ServerChannel): boolean {
  return BigInt(channel.chargedCumulativeAmount) > BigInt(channel.totalClaimed);
}

function isDue(claimable: ServerChannel[], maxUnclaimed: bigint, maxAgeMs: number, now: number): boolean {
  let unclaimed = 0n;
  for (const c of claimable) {
    if (c.withdrawRequestedAt !== 0) return true;
    if (now - c.lastRequestAt >= maxAgeMs) return true;
    unclaimed += BigInt(c.chargedCumulativeAmount) - BigInt(c.totalClaimed);
  }
  return claimable.length > 0 && unclaimed >= maxUnclaimed;
}

async function claimAndSweep(
  options: ClaimSchedulerOptions,
  claimable: ServerChannel[],
  maxBatch: number,
): Promise<ClaimRun> {
  const result = emptyRun();
  const tally: ClaimTally = result;
  const sweeps = new Map<string, { receiver: Address; token: Address }>();
  for (const batch of claimGroups(claimable, maxBatch)) {
    const { receiver, token } = batch[0]!.config;
    if (await claimIsolating(options, batch, tally)) sweeps.set(`${receiver}:${token}`, { receiver, token });
  }
  for (const [key, { receiver, token }] of sweeps) {
    const requirements = operationRequirements(options.network, receiver, token);
    const answer = await options.facilitator
      .settle(operation(requirements, { type: 'settle', receiver, token }), requirements)
      .catch(failed);
    if (!answer.success)
      result.failures.push(`sweep ${key}: ${answer.errorReason ?? 'failed'} ${answer.errorMessage ?? ''}`);
    else {
      result.sweepTransactions.push(answer.transaction);
      result.swept[key] = answer.amount ?? '0';
    }
  }
  return result;
}
