/**
 * The resource server's session of `batch-settlement`: verify reserves the channel for the request's
 * attempt, settle commits its charge after the handler succeeded, release gives the channel back. What
 * one attempt learnt at verify (the baseline of an unknown channel, the facilitator's snapshot) waits
 * here until its settle or release; the channel itself lives in the {@link ChannelStore}.
 */
import type { PaymentPayload, PaymentRequirements, SchemeSessionContext } from '@x402kit/core';
import type { Hex } from 'viem';
import type { ChannelSnapshot } from './channel.js';
import type { ChannelStore, ServerChannel } from './channel-store.js';
import type { DepositPayload, RefundPayload, VoucherPayload } from './payload.js';
import { readBatchPayload } from './payload.js';
import type { ServerReceiverAuthorizer } from './server-authorizer.js';

/** The mirrored on-chain fields of a channel. */
export type Onchain = Omit<ChannelSnapshot, 'channelId'>;

/** A payload a client sends. */
export type ClientBatchPayload = DepositPayload | VoucherPayload | RefundPayload;

/** What verify learnt for one attempt, kept until its settle or release. */
export type PendingAttempt = {
  channelId: Hex;
  /** `chargedCumulativeAmount` the request builds on. */
  base: bigint;
  /** The facilitator's snapshot of the channel, when verify asked it. */
  onchain?: Omit<ChannelSnapshot, 'channelId'>;
  expiresAt: number;
};

/** What the session's steps share. */
export type SessionConfig = {
  store: ChannelStore;
  authorizer: ServerReceiverAuthorizer | undefined;
  /** How long a mirrored snapshot allows local voucher checks (ms). */
  onchainStateTtlMs: number;
  now: () => number;
  pending: Map<string, PendingAttempt>;
};

/**
 * The attempt a request's calls share: the engine's, or (a call outside a request) one derived from the
 * voucher, so verify and settle of the same payment still agree.
 */
export function attemptOf(attempt: string | undefined, payload: ClientBatchPayload): string {
  const { voucher } = payload;
  return (
    attempt ?? `voucher:${voucher.channelId}:${voucher.maxClaimableAmount}:${voucher.signature.slice(0, 20)}`
  );
}

/** The client payload of a payment, or undefined when it is none. */
export function readClient(payload: PaymentPayload): ClientBatchPayload | undefined {
  const read = readBatchPayload(payload.payload, ['deposit', 'voucher', 'refund']);
  return read.ok ? (read.payload as ClientBatchPayload) : undefined;
}

/** Forget attempts whose reservation lapsed long ago (their settle or release never came). */
export function prunePending(session: SessionConfig): void {
  if (session.pending.size < 256) return;
  const cutoff = session.now() - 60_000;
  for (const [attempt, entry] of session.pending)
    if (entry.expiresAt < cutoff) session.pending.delete(attempt);
}

/** What one settle step works on: the session, the payment, its attempt and what verify learnt. */
export type SettleStep = {
  session: SessionConfig;
  payment: PaymentPayload;
  payload: ClientBatchPayload;
  requirements: PaymentRequirements;
  ctx: SchemeSessionContext;
  attempt: string;
  pending: PendingAttempt;
};

/** The `extra.channelState` of a settle response: the mirrored snapshot and what was charged. */
export function channelStateOf(channel: ServerChannel): Record<string, unknown> {
  return {
    channelId: channel.channelId,
    balance: channel.balance,
    totalClaimed: channel.totalClaimed,
    withdrawRequestedAt: channel.withdrawRequestedAt,
    refundNonce: String(channel.refundNonce),
    chargedCumulativeAmount: channel.chargedCumulativeAmount,
  };
}

/** Free the channel and forget the attempt. */
export async function giveUp(step: Pick<SettleStep, 'session' | 'attempt' | 'pending'>): Promise<void> {
  step.session.pending.delete(step.attempt);
  await step.session.store.release(step.pending.channelId, step.attempt).catch(() => {});
}

/** The channel snapshot in a facilitator's `extra` (verify) or `extra.channelState` (settle). */
export function readOnchain(extra: unknown): Onchain | undefined {
  if (typeof extra !== 'object' || extra === null) return undefined;
  const nested = Reflect.get(extra, 'channelState');
  const source = typeof nested === 'object' && nested !== null ? nested : extra;
  const balance = Reflect.get(source, 'balance');
  const totalClaimed = Reflect.get(source, 'totalClaimed');
  if (typeof balance !== 'string' || typeof totalClaimed !== 'string') return undefined;
  if (!/^\d+$/.test(balance) || !/^\d+$/.test(totalClaimed)) return undefined;
  const withdrawRequestedAt = Number(Reflect.get(source, 'withdrawRequestedAt') ?? 0);
  const refundNonce = String(Reflect.get(source, 'refundNonce') ?? '0');
  return {
    balance,
    totalClaimed,
    withdrawRequestedAt: Number.isFinite(withdrawRequestedAt) ? withdrawRequestedAt : 0,
    refundNonce: /^\d+$/.test(refundNonce) ? refundNonce : '0',
  };
}
