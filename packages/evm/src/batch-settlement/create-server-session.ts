/**
 * The session object the engine calls: verify, settle and release of `batch-settlement` payments over
 * the shared session state (see server-session.ts).
 */
import type { SchemeServerSession } from '@x402kit/core';
import { attemptOf, readClient, type SessionConfig } from './server-session.js';
import { settleBatchPayment } from './server-settle.js';
import { verifyBatchPayment } from './server-verify.js';

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
