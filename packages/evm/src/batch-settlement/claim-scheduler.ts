/**
 * The server's claim scheduler for `batch-settlement`: it claims many channels' latest vouchers in ONE
 * facilitator `claim` (one transaction per receiver authorizer, receiver and token, up to `maxBatch`
 * rows), then sweeps what was claimed to the receiver with a `settle` per receiver and token. It runs
 * when the unclaimed value passes `maxUnclaimed`, when the oldest unclaimed charge is `maxAgeMs` old,
 * and at once when a payer started a timed withdrawal. Each claim row presents the committed voucher it
 * read and claims what was charged then; a voucher committed meanwhile raises the charge above it and
 * is claimed next time (claims are cumulative, `totalClaimed` only grows): nothing lost or counted twice.
 */
import type { PaymentPayload, PaymentRequirements, SettleResponse } from '@x402kit/core';
import type { Address } from 'viem';
import type { ChannelStore, ServerChannel } from './channel-store.js';
import { BATCH_SETTLEMENT_SCHEME } from './constants.js';
import type { ClaimEntry } from './payload.js';
import { authorizerKey, type ServerReceiverAuthorizer, signClaimBatch } from './server-authorizer.js';

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
};

/** Options of {@link startClaimScheduler}. */
export type ClaimSchedulerOptions = {
  store: ChannelStore;
  /** The facilitator that submits claims and sweeps (its `settle`). */
  facilitator: {
    settle(payload: PaymentPayload, requirements: PaymentRequirements): Promise<SettleResponse>;
  };
  /** The network of the store's channels (`eip155:<id>`). */
  network: string;
  /** The server's own receiver-authorizer key signs the claims; otherwise the facilitator does. */
  receiverAuthorizer?: ServerReceiverAuthorizer;
  policy?: ClaimPolicy;
  /** Told of each claim or sweep that failed (the scheduler goes on). */
  onError?: (error: Error) => void;
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
  failures: string[];
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
 * Start claiming a store's channels by policy.
 *
 * @example
 * const scheduler = startClaimScheduler({ store: scheme.store, facilitator, network: 'eip155:8453', policy: { maxAgeMs: 600_000 } })
 * await scheduler.claimNow() // { batches: [10], claimTransactions: ['0x…'], sweepTransactions: ['0x…'], … }
 * await scheduler.stop()
 */
export function startClaimScheduler(options: ClaimSchedulerOptions): ClaimScheduler {
  const now = options.now ?? Date.now;
  const policy = options.policy ?? {};
  const maxUnclaimed = policy.maxUnclaimed ?? 1_000_000n;
  const maxAgeMs = policy.maxAgeMs ?? 3_600_000;
  const batchSizes: number[] = [];
  let running: Promise<ClaimRun> = Promise.resolve(emptyRun());
  let stopped = false;

  const run = (force: boolean): Promise<ClaimRun> => {
    running = running.then(async () => {
      const claimable = (await options.store.list()).filter(isClaimable);
      if (!force && !isDue(claimable, maxUnclaimed, maxAgeMs, now())) return emptyRun();
      const result = await claimAndSweep(options, claimable, policy.maxBatch ?? 100);
      batchSizes.push(...result.batches);
      for (const failure of result.failures) options.onError?.(new Error(failure));
      return result;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) run(false).catch((error: unknown) => options.onError?.(error as Error));
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
  return { batches: [], claimTransactions: [], sweepTransactions: [], swept: {}, failures: [] };
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
  const groups = new Map<string, ServerChannel[]>();
  for (const c of claimable) {
    const key = `${c.config.receiverAuthorizer}:${c.config.receiver}:${c.config.token}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const sweeps = new Map<string, { receiver: Address; token: Address }>();
  for (const channels of groups.values()) {
    for (let i = 0; i < channels.length; i += maxBatch) {
      const batch = channels.slice(i, i + maxBatch);
      const ok = await claimBatch(options, batch, result);
      const { receiver, token } = batch[0]!.config;
      if (ok) sweeps.set(`${receiver}:${token}`, { receiver, token });
    }
  }
  for (const [key, { receiver, token }] of sweeps) {
    const requirements = operationRequirements(options.network, receiver, token);
    const answer = await options.facilitator
      .settle(operation(requirements, { type: 'settle', receiver, token }), requirements)
      .catch((error: unknown) => failed(error));
    if (!answer.success)
      result.failures.push(`sweep ${key}: ${answer.errorReason ?? 'failed'} ${answer.errorMessage ?? ''}`);
    else {
      result.sweepTransactions.push(answer.transaction);
      result.swept[key] = answer.amount ?? '0';
    }
  }
  return result;
}

async function claimBatch(
  options: ClaimSchedulerOptions,
  batch: ServerChannel[],
  result: ClaimRun,
): Promise<boolean> {
  const claims: ClaimEntry[] = batch.map((c) => ({
    voucher: { channel: c.config, maxClaimableAmount: c.signedMaxClaimable },
    signature: c.signature,
    totalClaimed: c.chargedCumulativeAmount,
  }));
  const { receiver, token, receiverAuthorizer } = batch[0]!.config;
  const key = authorizerKey(options.receiverAuthorizer);
  const signs = key !== undefined && key.address.toLowerCase() === receiverAuthorizer.toLowerCase();
  const payload = {
    type: 'claim',
    claims,
    ...(signs ? { claimAuthorizerSignature: await signClaimBatch(key, claims, options.network) } : {}),
  };
  const requirements = operationRequirements(options.network, receiver, token);
  const answer = await options.facilitator
    .settle(operation(requirements, payload), requirements)
    .catch((error: unknown) => failed(error));
  if (!answer.success) {
    result.failures.push(
      `claim of ${batch.length}: ${answer.errorReason ?? 'failed'} ${answer.errorMessage ?? ''}`,
    );
    return false;
  }
  result.batches.push(batch.length);
  result.claimTransactions.push(answer.transaction);
  for (const c of batch) {
    await options.store.recordOnchain(c.channelId, {
      balance: c.balance,
      totalClaimed: c.chargedCumulativeAmount,
      withdrawRequestedAt: c.withdrawRequestedAt,
      refundNonce: c.refundNonce,
    });
  }
  return true;
}

function operationRequirements(network: string, receiver: Address, token: Address): PaymentRequirements {
  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    network,
    asset: token,
    amount: '0',
    payTo: receiver,
    maxTimeoutSeconds: 300,
    extra: {},
  };
}

function operation(accepted: PaymentRequirements, payload: Record<string, unknown>): PaymentPayload {
  return { x402Version: 2, accepted, payload };
}

function failed(error: unknown): SettleResponse {
  return {
    success: false,
    errorReason: 'unexpected_settle_error',
    errorMessage: (error as Error).message,
    transaction: '',
    network: '',
  };
}
