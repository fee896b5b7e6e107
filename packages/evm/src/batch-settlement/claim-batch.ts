/**
 * One claim of the claim scheduler, made robust to a bad row: the rows of one `claimWithSignature`
 * share a receiver authorizer (so one key signs them all), and a batch the facilitator refuses is split
 * in halves until every good row is claimed and each bad row stands alone, refused (bisection: a single
 * bad row among n costs about 2·log2(n) extra calls). A refusal that is about the authorizer (the
 * facilitator holds no key for it) refuses the whole group at once; a transient failure (the facilitator
 * unreachable, a transaction pending) is never split. Internal to the claim scheduler.
 */
import { type PaymentPayload, type PaymentRequirements, Reasons, type SettleResponse } from '@x402kit/core';
import { type Address, type Hex, keccak256, stringToHex } from 'viem';
import type { ChannelStore, ServerChannel } from './channel-store.js';
import { BATCH_SETTLEMENT_SCHEME } from './constants.js';
import type { ClaimEntry } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';
import { authorizerKey, type ServerReceiverAuthorizer, signClaimBatch } from './server-authorizer.js';

/**
 * A channel whose claim row the facilitator refused on its own (after the batch was split around it).
 *
 * @example
 * const run = await scheduler.claimNow()
 * for (const r of run.rejected) console.warn(r.channelId, r.reason, r.message)
 */
export type RejectedClaim = { channelId: Hex; reason: string; message: string };

/** Where the claims go and who signs them. */
export type ClaimTarget = {
  store: ChannelStore;
  facilitator: ClaimFacilitator;
  network: string;
  receiverAuthorizer?: ServerReceiverAuthorizer | undefined;
};

/**
 * The facilitator as the scheduler calls it. A claim is sent with an `attempt` derived from its rows, so
 * sending the same rows again (after a pending answer, a lost connection or a restart) is a retry of the
 * same attempt: an x402kit facilitator's ledger answers it with the first claim's outcome (the
 * transaction), never a duplicate refusal.
 */
export type ClaimFacilitator = {
  settle(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    options?: { attempt?: string },
  ): Promise<SettleResponse>;
};

/** What the claims of one run add up to. */
export type ClaimTally = {
  batches: number[];
  claimTransactions: string[];
  failures: string[];
  rejected: RejectedClaim[];
};

/** Refusals that concern every row of a group (they share the receiver authorizer). */
const GROUP_REFUSALS: ReadonlySet<string> = new Set([
  BatchSettlementReasons.authorizerAddressMismatch,
  BatchSettlementReasons.authorizerNotConfigured,
]);

/**
 * Answers that say nothing bad about the rows: nothing to isolate. A pending transaction, the facilitator
 * unreachable, or the ledger's `duplicate_settlement` (these very rows were claimed or are being claimed).
 */
const TRANSIENT: ReadonlySet<string> = new Set([
  BatchSettlementReasons.settlementPending,
  Reasons.duplicateSettlement,
  'unexpected_settle_error',
]);

/**
 * The claimable channels in groups of one receiver authorizer, receiver and token, each cut to at
 * most `maxBatch` rows.
 *
 * @example for (const batch of claimGroups(claimable, 100)) await claimIsolating(target, batch, tally)
 */
export function claimGroups(claimable: readonly ServerChannel[], maxBatch: number): ServerChannel[][] {
  const groups = new Map<string, ServerChannel[]>();
  for (const c of claimable) {
    const { receiverAuthorizer, receiver, token } = c.config;
    const key = `${receiverAuthorizer}:${receiver}:${token}`.toLowerCase();
    const group = groups.get(key) ?? [];
    group.push(c);
    groups.set(key, group);
  }
  const batches: ServerChannel[][] = [];
  for (const group of groups.values())
    for (let i = 0; i < group.length; i += maxBatch) batches.push(group.slice(i, i + maxBatch));
  return batches;
}

/**
 * Claim `batch`; on a refusal about its rows, claim each half on its own, down to single rows, which
 * are then reported in `tally.rejected`. True when any row was claimed.
 *
 * @example const swept = await claimIsolating(target, batch, tally)
 */
export async function claimIsolating(
  target: ClaimTarget,
  batch: ServerChannel[],
  tally: ClaimTally,
): Promise<boolean> {
  const answer = await submitClaim(target, batch);
  if (answer.success) {
    tally.batches.push(batch.length);
    tally.claimTransactions.push(answer.transaction);
    for (const c of batch) {
      await target.store.recordOnchain(c.channelId, {
        balance: c.balance,
        totalClaimed: c.chargedCumulativeAmount,
        withdrawRequestedAt: c.withdrawRequestedAt,
        refundNonce: c.refundNonce,
      });
    }
    return true;
  }
  const reason = answer.errorReason ?? 'unexpected_settle_error';
  const message = answer.errorMessage ?? '';
  if (TRANSIENT.has(reason)) {
    tally.failures.push(`claim of ${batch.length}: ${reason} ${message}`.trim());
    return false;
  }
  if (batch.length === 1 || GROUP_REFUSALS.has(reason)) {
    for (const c of batch) tally.rejected.push({ channelId: c.channelId, reason, message });
    return false;
  }
  const half = Math.ceil(batch.length / 2);
  const first = await claimIsolating(target, batch.slice(0, half), tally);
  const second = await claimIsolating(target, batch.slice(half), tally);
  return first || second;
}

async function submitClaim(target: ClaimTarget, batch: ServerChannel[]): Promise<SettleResponse> {
  const claims: ClaimEntry[] = batch.map((c) => ({
    voucher: { channel: c.config, maxClaimableAmount: c.signedMaxClaimable },
    signature: c.signature,
    totalClaimed: c.chargedCumulativeAmount,
  }));
  const { receiver, token, receiverAuthorizer } = batch[0]!.config;
  const key = authorizerKey(target.receiverAuthorizer);
  const signs = key !== undefined && key.address.toLowerCase() === receiverAuthorizer.toLowerCase();
  try {
    const payload = {
      type: 'claim',
      claims,
      ...(signs ? { claimAuthorizerSignature: await signClaimBatch(key, claims, target.network) } : {}),
    };
    const requirements = operationRequirements(target.network, receiver, token);
    return await target.facilitator.settle(operation(requirements, payload), requirements, {
      attempt: claimAttempt(claims),
    });
  } catch (error) {
    return failed(error);
  }
}

/** The attempt of a claim: the same rows are the same attempt (see {@link ClaimFacilitator}). */
function claimAttempt(claims: readonly ClaimEntry[]): string {
  const rows = claims
    .map((c) => `${c.voucher.maxClaimableAmount}:${c.totalClaimed}:${c.signature}`)
    .join('|');
  return `claim_${keccak256(stringToHex(rows)).slice(2, 34)}`;
}

/**
 * The requirements of a claim or sweep (no price: the operation moves what was charged).
 *
 * @example const requirements = operationRequirements('eip155:8453', receiver, token)
 */
export function operationRequirements(
  network: string,
  receiver: Address,
  token: Address,
): PaymentRequirements {
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

/**
 * A server-side operation (`claim`, `settle`) as a payment payload.
 *
 * @example await facilitator.settle(operation(requirements, { type: 'settle', receiver, token }), requirements)
 */
export function operation(accepted: PaymentRequirements, payload: Record<string, unknown>): PaymentPayload {
  return { x402Version: 2, accepted, payload };
}

/**
 * A thrown facilitator call as a failed settle answer.
 *
 * @example const answer = await facilitator.settle(p, r).catch(failed)
 */
export function failed(error: unknown): SettleResponse {
  return {
    success: false,
    errorReason: 'unexpected_settle_error',
    errorMessage: error instanceof Error ? error.message : String(error),
    transaction: '',
    network: '',
  };
}
