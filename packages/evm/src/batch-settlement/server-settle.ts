/**
 * `batch-settlement` settle on the resource server, after the handler succeeded: a voucher commits its
 * charge to the channel (no facilitator call, no transaction); a deposit has the facilitator deposit
 * first and then commits; a refund is completed (amount, nonce, the outstanding claim, the receiver
 * authorizer's signatures when the server holds the key) and settled by the facilitator. Only the
 * attempt that holds the channel's reservation can commit.
 */
import {
  type PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type SchemeSessionContext,
  type SettleResponse,
  settleRefusal,
} from '@x402kit/core';
import { normalizeChannelConfig } from './channel.js';
import type { ServerChannel } from './channel-store.js';
import { BatchSettlementReasons as R } from './reasons.js';
import { completeRefund } from './server-refund.js';
import {
  attemptOf,
  channelStateOf,
  giveUp,
  type PendingAttempt,
  readClient,
  readOnchain,
  type SessionConfig,
  type SettleStep,
} from './server-session.js';

type Step = SettleStep;

/** Settle a verified client payment; see the module comment. */
export async function settleBatchPayment(
  session: SessionConfig,
  payment: PaymentPayload,
  requirements: PaymentRequirements,
  ctx: SchemeSessionContext & { amount?: string },
): Promise<SettleResponse> {
  const payload = readClient(payment);
  if (!payload)
    return settleRefusal(R.payloadType, 'not a client batch-settlement payload', requirements.network);
  const attempt = attemptOf(ctx.attempt, payload);
  const pending = session.pending.get(attempt);
  const payer = payload.channelConfig.payer;
  if (!pending) {
    return settleRefusal(
      R.channelBusy,
      'this payment holds no reservation (verify first)',
      requirements.network,
      '',
      payer,
    );
  }
  const step: Step = { session, payment, payload, requirements, ctx, attempt, pending };
  if (payload.type === 'refund') return completeRefund(step);
  const charge = BigInt(ctx.amount ?? requirements.amount);
  if (charge > BigInt(requirements.amount) || charge < 0n) {
    await giveUp(step);
    return settleRefusal(
      R.chargeExceedsSignedCumulative,
      `charge ${charge} exceeds the price`,
      requirements.network,
      '',
      payer,
    );
  }
  let deposit: SettleResponse | undefined;
  if (payload.type === 'deposit') {
    deposit = await ctx.facilitator.settle(payment, requirements);
    if (!deposit.success) {
      // a deposit sent but not confirmed keeps its reservation: the settle is resumed, never lost
      if (deposit.errorReason !== Reasons.settlementPending) await giveUp(step);
      return deposit;
    }
  }
  const onchain = deposit ? readOnchain(Reflect.get(deposit, 'extra')) : pending.onchain;
  const current = await session.store.get(pending.channelId);
  const next = nextChannel(step, current, charge, onchain);
  if (!next) {
    await giveUp(step);
    return settleRefusal(
      R.chargeExceedsSignedCumulative,
      `charging ${charge} would exceed the voucher's maxClaimableAmount ${payload.voucher.maxClaimableAmount}`,
      requirements.network,
      deposit?.transaction ?? '',
      payer,
    );
  }
  const committed = await session.store.commit(pending.channelId, attempt, next).catch(() => false);
  session.pending.delete(attempt);
  if (!committed) {
    return settleRefusal(
      R.channelBusy,
      'the reservation lapsed before the charge was committed',
      requirements.network,
      deposit?.transaction ?? '',
      payer,
    );
  }
  const extra = { chargedAmount: charge.toString(), channelState: channelStateOf(next) };
  if (deposit) {
    const given: unknown = Reflect.get(deposit, 'extra');
    const base = typeof given === 'object' && given !== null ? given : {};
    return { ...deposit, payer: deposit.payer ?? payer, extra: { ...base, ...extra } };
  }
  return { success: true, transaction: '', amount: '', network: requirements.network, payer, extra };
}

/** The channel after this charge, or undefined when it would pass the signed ceiling. */
function nextChannel(
  step: Step,
  current: ServerChannel | undefined,
  charge: bigint,
  onchain: PendingAttempt['onchain'],
): ServerChannel | undefined {
  const { payload, pending, session } = step;
  const charged = (current ? BigInt(current.chargedCumulativeAmount) : pending.base) + charge;
  if (charged > BigInt(payload.voucher.maxClaimableAmount)) return undefined;
  const now = session.now();
  const mirrored = onchain
    ? { ...onchain, onchainSyncedAt: now }
    : {
        balance: current?.balance ?? '0',
        totalClaimed: current?.totalClaimed ?? '0',
        withdrawRequestedAt: current?.withdrawRequestedAt ?? 0,
        refundNonce: current?.refundNonce ?? '0',
        onchainSyncedAt: current?.onchainSyncedAt ?? 0,
      };
  return {
    channelId: pending.channelId,
    config: normalizeChannelConfig(payload.channelConfig),
    chargedCumulativeAmount: charged.toString(),
    signedMaxClaimable: payload.voucher.maxClaimableAmount,
    signature: payload.voucher.signature,
    ...mirrored,
    lastRequestAt: now,
  };
}
