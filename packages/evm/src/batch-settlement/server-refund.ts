/**
 * The cooperative refund on the resource server: complete the client's refund payload (the amount,
 * by default all that was not charged; the refund nonce; the claim of the outstanding voucher; the
 * receiver authorizer's signatures when the server holds the key), have the facilitator settle it, then
 * delete the channel (nothing left) or keep it with the mirrored post-refund state.
 */
import { Reasons, type SettleResponse, settleRefusal } from '@x402kit/core';
import { normalizeChannelConfig } from './channel.js';
import type { ServerChannel } from './channel-store.js';
import type { ClaimEntry, RefundPayload } from './payload.js';
import { authorizerKey, signClaimBatch, signRefund } from './server-authorizer.js';
import { channelStateOf, giveUp, readOnchain, type SettleStep } from './server-session.js';

/** Complete and settle a verified refund; see the module comment. */
export async function completeRefund(step: SettleStep): Promise<SettleResponse> {
  const { session, requirements, pending, ctx } = step;
  const payload = step.payload as RefundPayload;
  const payer = payload.channelConfig.payer;
  const current = await session.store.get(pending.channelId);
  const state = pending.onchain ?? current;
  if (!state) {
    await giveUp(step);
    return settleRefusal(Reasons.invalidPayload, 'no state of this channel', requirements.network, '', payer);
  }
  const charged = current ? BigInt(current.chargedCumulativeAmount) : pending.base;
  const amount = payload.amount ?? (BigInt(state.balance) - charged).toString();
  const claims: ClaimEntry[] = [
    {
      voucher: { channel: payload.channelConfig, maxClaimableAmount: payload.voucher.maxClaimableAmount },
      signature: payload.voucher.signature,
      totalClaimed: charged.toString(),
    },
  ];
  const key = authorizerKey(session.authorizer);
  const completed: RefundPayload = {
    ...payload,
    amount,
    refundNonce: String(state.refundNonce),
    claims,
    ...(key
      ? {
          refundAuthorizerSignature: await signRefund(
            key,
            pending.channelId,
            BigInt(state.refundNonce),
            BigInt(amount),
            requirements.network,
          ),
          claimAuthorizerSignature: await signClaimBatch(key, claims, requirements.network),
        }
      : {}),
  };
  const answer = await ctx.facilitator.settle({ ...step.payment, payload: completed }, requirements);
  if (!answer.success) {
    if (answer.errorReason !== Reasons.settlementPending) await giveUp(step);
    return answer;
  }
  const after = readOnchain(Reflect.get(answer, 'extra')) ?? {
    balance: (BigInt(state.balance) - BigInt(amount)).toString(),
    totalClaimed: charged.toString(),
    withdrawRequestedAt: state.withdrawRequestedAt,
    refundNonce: (BigInt(state.refundNonce) + 1n).toString(),
  };
  const now = session.now();
  const next: ServerChannel = {
    channelId: pending.channelId,
    config: normalizeChannelConfig(payload.channelConfig),
    chargedCumulativeAmount: charged.toString(),
    signedMaxClaimable: payload.voucher.maxClaimableAmount,
    signature: payload.voucher.signature,
    ...after,
    onchainSyncedAt: now,
    lastRequestAt: now,
  };
  session.pending.delete(step.attempt);
  if (BigInt(after.balance) <= charged) await session.store.delete(pending.channelId);
  else await session.store.commit(pending.channelId, step.attempt, next);
  return { ...answer, payer: answer.payer ?? payer, extra: { channelState: channelStateOf(next) } };
}
