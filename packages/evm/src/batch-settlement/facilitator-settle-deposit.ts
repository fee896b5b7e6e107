/**
 * `/settle` of a `deposit`: verified again against the chain, then `deposit(config, amount, collector,
 * collectorData)` on the escrow from our relayer; the answer carries the deposited amount and the
 * channel's state after it (`extra.channelState`).
 */
import type {
  PaymentPayload,
  PaymentRequirements,
  SchemeFacilitatorContext,
  SettleResponse,
} from '@x402kit/core';
import { encodeFunctionData } from 'viem';
import { batchSettlementAbi } from './abi.js';
import { depositArgs } from './facilitator-check-deposit.js';
import { type BatchFacilitatorContext, refuseSettle } from './facilitator-context.js';
import { channelSnapshot, readChannelState } from './facilitator-read-channel-state.js';
import { sendEscrowCall } from './facilitator-send-escrow-call.js';
import { verifyBatchPayment } from './facilitator-verify.js';
import { BatchSettlementReasons } from './reasons.js';

/**
 * Settle a `deposit` payload.
 *
 * @example
 * const response = await settleDeposit(ctx, paymentPayload, requirements, { signal, onBroadcast })
 */
export async function settleDeposit(
  ctx: BatchFacilitatorContext,
  paymentPayload: PaymentPayload,
  requirements: PaymentRequirements,
  call: Pick<SchemeFacilitatorContext, 'signal' | 'onBroadcast'>,
): Promise<SettleResponse> {
  const { response, verified } = await verifyBatchPayment(ctx, paymentPayload, requirements);
  if (verified?.payload.type !== 'deposit') {
    return refuseSettle(
      requirements,
      response.invalidReason ?? BatchSettlementReasons.depositPayload,
      response.invalidMessage ?? 'not a valid deposit',
      response.payer,
    );
  }
  const { payload, network, state } = verified;
  const payer = payload.channelConfig.payer;
  const amount = BigInt(payload.deposit.amount);
  const data = encodeFunctionData({
    abi: batchSettlementAbi,
    functionName: 'deposit',
    args: depositArgs(payload),
  });
  const sent = await sendEscrowCall(ctx, { network, data, requirements, call, step: 'deposit', payer });
  if (!sent.ok) return sent.response;
  const channelId = payload.voucher.channelId;
  // the state after the deposit; a failed read falls back to the state before plus the amount
  const after = await readChannelState(network.client, channelId).catch(() => ({
    ...state,
    balance: state.balance + amount,
  }));
  return {
    success: true,
    transaction: sent.hash,
    network: requirements.network,
    payer,
    amount: payload.deposit.amount,
    asset: payload.channelConfig.token,
    extra: { channelState: channelSnapshot(channelId, after) },
  };
}
