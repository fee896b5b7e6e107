/**
 * `/settle` of a `refund` completed by the server: its claims first (`claimWithSignature`, when it sends
 * any) and `refundWithSignature` in one escrow `multicall` transaction, or the refund alone. The server
 * signs the `Refund` (and `ClaimBatch`) when it owns the receiver-authorizer key; when the channel
 * delegates to our authorizer we sign what it omitted. The answer carries the refunded amount and the
 * channel's state after it.
 */
import type { PaymentRequirements, SchemeFacilitatorContext, SettleResponse } from '@x402kit/core';
import { encodeFunctionData, type Hex, isAddressEqual } from 'viem';
import { errorText } from '../error-text.js';
import type { EvmNetwork } from '../evm-network.js';
import { batchSettlementAbi } from './abi.js';
import { computeChannelId } from './channel.js';
import { type BatchFacilitatorContext, refuseSettle, servedNetwork } from './facilitator-context.js';
import { type ChannelState, channelSnapshot, readChannelState } from './facilitator-read-channel-state.js';
import { sendEscrowCall } from './facilitator-send-escrow-call.js';
import { claimAuthorization, voucherClaimArgs } from './facilitator-settle-claim.js';
import type { RefundPayload } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';
import { signRefund } from './server-authorizer.js';

/**
 * Settle a `refund` payload.
 *
 * @example
 * const response = await settleRefund(ctx, payload, requirements, { signal, onBroadcast }, chainId)
 */
export async function settleRefund(
  ctx: BatchFacilitatorContext,
  payload: RefundPayload,
  requirements: PaymentRequirements,
  call: Pick<SchemeFacilitatorContext, 'signal' | 'onBroadcast'>,
  chainId: number,
): Promise<SettleResponse> {
  const payer = payload.channelConfig.payer;
  const refuse = (reason: string, message: string) => refuseSettle(requirements, reason, message, payer);
  const network = servedNetwork(ctx, requirements, payer);
  if ('success' in network) return network;
  const channelId = computeChannelId(payload.channelConfig, chainId);
  if (channelId !== payload.voucher.channelId)
    return refuse(BatchSettlementReasons.channelIdMismatch, `channelConfig hashes to ${channelId}`);
  let before: ChannelState;
  try {
    before = await readChannelState(network.client, channelId);
  } catch (error) {
    return refuse(BatchSettlementReasons.rpcReadFailed, `reading the channel failed: ${errorText(error)}`);
  }
  const nonce = payload.refundNonce === undefined ? before.refundNonce : BigInt(payload.refundNonce);
  if (nonce !== before.refundNonce)
    return refuse(
      BatchSettlementReasons.refundPayload,
      `refundNonce ${nonce} is not the channel's next refund nonce ${before.refundNonce}`,
    );
  const claims = payload.claims ?? [];
  const claimedAfter = claims
    .filter((c) => computeChannelId(c.voucher.channel, chainId) === channelId)
    .reduce((max, c) => (BigInt(c.totalClaimed) > max ? BigInt(c.totalClaimed) : max), before.totalClaimed);
  const available = before.balance > claimedAfter ? before.balance - claimedAfter : 0n;
  if (available === 0n)
    return refuse(BatchSettlementReasons.refundNoBalance, 'nothing left to refund in the channel');
  const amount = payload.amount === undefined ? available : BigInt(payload.amount);
  if (amount === 0n)
    return refuse(BatchSettlementReasons.refundAmountInvalid, 'payload.amount must be above 0');
  const refundSignature = await refundAuthorization(ctx, payload, chainId, channelId, nonce, amount);
  if (!('signature' in refundSignature)) return refuse(refundSignature.reason, refundSignature.message);
  const refundData = encodeFunctionData({
    abi: batchSettlementAbi,
    functionName: 'refundWithSignature',
    args: [payload.channelConfig, amount, nonce, refundSignature.signature],
  });
  let data: Hex = refundData;
  if (claims.length > 0) {
    const claimSignature = await claimAuthorization(ctx, chainId, claims, payload.claimAuthorizerSignature);
    if (!('signature' in claimSignature)) return refuse(claimSignature.reason, claimSignature.message);
    const claimData = encodeFunctionData({
      abi: batchSettlementAbi,
      functionName: 'claimWithSignature',
      args: [voucherClaimArgs(claims), claimSignature.signature],
    });
    data = encodeFunctionData({
      abi: batchSettlementAbi,
      functionName: 'multicall',
      args: [[claimData, refundData]],
    });
  }
  const sent = await sendEscrowCall(ctx, { network, data, requirements, call, step: 'refund', payer });
  if (!sent.ok) return sent.response;
  const after = await stateAfter(
    network,
    channelId,
    before,
    nonce,
    claimedAfter,
    amount < available ? amount : available,
  );
  return {
    success: true,
    transaction: sent.hash,
    network: requirements.network,
    payer,
    amount: (before.balance - after.balance).toString(),
    extra: { channelState: channelSnapshot(channelId, after) },
  };
}

/** The `Refund` signature: the server's, or ours when the channel delegates to our authorizer. */
async function refundAuthorization(
  ctx: BatchFacilitatorContext,
  payload: RefundPayload,
  chainId: number,
  channelId: Hex,
  nonce: bigint,
  amount: bigint,
): Promise<{ signature: Hex } | { reason: string; message: string }> {
  if (payload.refundAuthorizerSignature) return { signature: payload.refundAuthorizerSignature };
  const authorizer = ctx.authorizer;
  if (!authorizer?.signTypedData)
    return {
      reason: BatchSettlementReasons.authorizerNotConfigured,
      message: 'no refundAuthorizerSignature and this facilitator has no authorizer key',
    };
  if (!isAddressEqual(payload.channelConfig.receiverAuthorizer, authorizer.address))
    return {
      reason: BatchSettlementReasons.authorizerAddressMismatch,
      message: `channel receiverAuthorizer ${payload.channelConfig.receiverAuthorizer} is not ours (${authorizer.address}): sign the refund yourself`,
    };
  const signature = await signRefund(authorizer, channelId, nonce, amount, `eip155:${chainId}`);
  return { signature };
}

/** The channel after the refund as the chain reads it, else as computed from the state before. */
async function stateAfter(
  network: EvmNetwork,
  channelId: Hex,
  before: ChannelState,
  nonce: bigint,
  claimedAfter: bigint,
  refunded: bigint,
): Promise<ChannelState> {
  const read = await readChannelState(network.client, channelId).catch(() => undefined);
  if (read && read.refundNonce > nonce) return read;
  return {
    balance: before.balance - refunded,
    totalClaimed: claimedAfter,
    withdrawRequestedAt: before.withdrawRequestedAt,
    refundNonce: nonce + 1n,
  };
}
