/**
 * The resource server's session of `batch-settlement`: verify reserves the channel for the request's
 * attempt, settle commits its charge after the handler succeeded, release gives the channel back. What
 * one attempt learnt at verify (the baseline of an unknown channel, the facilitator's snapshot) waits
 * here until its settle or release; the channel itself lives in the {@link ChannelStore}.
 */
import type { PaymentPayload, SchemeServerSession } from '@x402kit/core';
import type { Hex } from 'viem';
import type { ChannelSnapshot } from './channel.js';
import type { ChannelStore } from './channel-store.js';
import type { DepositPayload, RefundPayload, VoucherPayload } from './payload.js';
import { readBatchPayload } from './payload.js';
import type { ServerReceiverAuthorizer } from './server-authorizer.js';
import { settleBatchPayment } from './server-settle.js';
import { verifyBatchPayment } from './server-verify.js';

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

/** Build the session over a store. */
export function createServerSession(config: Omit<SessionConfig, 'pending'>): SchemeServerSession {
  const session: SessionConfig = { ...config, pending: new Map() };
  return {
    verify: (payload, requirements, ctx) => verifyBatchPayment(session, payload, requirements, ctx),
    settle: (payload, requirements, ctx) => settleBatchPayment(session, payload, requirements, ctx),
    async release(payload, _requirements, ctx) {
      const read = readClient(payload);
      if (!read) return;
      const attempt = attemptOf(ctx.attempt, read);
      session.pending.delete(attempt);
      await session.store.release(read.voucher.channelId, attempt).catch(() => {});
    },
  };
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
