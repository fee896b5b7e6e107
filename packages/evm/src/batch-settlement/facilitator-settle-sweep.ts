/**
 * `/settle` of a `settle` payload: sweep what was claimed for a receiver and token with the escrow's
 * permissionless `settle(receiver, token)`. Sweeps of one receiver and token run one at a time in this
 * process, so two concurrent calls never both report the same amount: the second finds nothing left
 * and is refused with `invalid_batch_settlement_evm_nothing_to_settle`, as the reference does.
 */
import type { PaymentRequirements, SchemeFacilitatorContext, SettleResponse } from '@x402kit/core';
import { decodeEventLog, encodeFunctionData, isAddressEqual } from 'viem';
import { errorText } from '../error-text.js';
import type { ReceiptSummary } from '../relayer/wait-for-receipt.js';
import { batchSettlementAbi } from './abi.js';
import { BATCH_SETTLEMENT_ADDRESS } from './constants.js';
import { type BatchFacilitatorContext, refuseSettle, servedNetwork } from './facilitator-context.js';
import { sendEscrowCall } from './facilitator-send-escrow-call.js';
import type { SettlePayload } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';

/**
 * Settle a `settle` payload (the sweep).
 *
 * @example
 * const response = await settleSweep(ctx, { type: 'settle', receiver, token }, requirements, {})
 */
export function settleSweep(
  ctx: BatchFacilitatorContext,
  payload: SettlePayload,
  requirements: PaymentRequirements,
  call: Pick<SchemeFacilitatorContext, 'signal' | 'onBroadcast'>,
): Promise<SettleResponse> {
  const key = `${requirements.network}|${payload.receiver.toLowerCase()}|${payload.token.toLowerCase()}`;
  return ctx.serialize(key, () => sweep(ctx, payload, requirements, call));
}

async function sweep(
  ctx: BatchFacilitatorContext,
  payload: SettlePayload,
  requirements: PaymentRequirements,
  call: Pick<SchemeFacilitatorContext, 'signal' | 'onBroadcast'>,
): Promise<SettleResponse> {
  const network = servedNetwork(ctx, requirements);
  if ('success' in network) return network;
  const { receiver, token } = payload;
  let owed: bigint;
  try {
    const [claimed, settled] = await network.client.readContract({
      address: BATCH_SETTLEMENT_ADDRESS,
      abi: batchSettlementAbi,
      functionName: 'receivers',
      args: [receiver, token],
    });
    owed = claimed - settled;
  } catch (error) {
    return refuseSettle(
      requirements,
      BatchSettlementReasons.rpcReadFailed,
      `reading receivers failed: ${errorText(error)}`,
    );
  }
  if (owed <= 0n)
    return refuseSettle(
      requirements,
      BatchSettlementReasons.nothingToSettle,
      `nothing claimed and unsettled for ${receiver} in ${token}`,
    );
  const data = encodeFunctionData({
    abi: batchSettlementAbi,
    functionName: 'settle',
    args: [receiver, token],
  });
  const sent = await sendEscrowCall(ctx, { network, data, requirements, call, step: 'settle' });
  if (!sent.ok) return sent.response;
  return {
    success: true,
    transaction: sent.hash,
    network: requirements.network,
    amount: settledAmount(sent.receipt, payload).toString(),
  };
}

/** The `Settled` amount of `receiver` and `token` in a receipt; 0 when none. */
export function settledAmount(
  receipt: ReceiptSummary,
  payload: Pick<SettlePayload, 'receiver' | 'token'>,
): bigint {
  for (const log of receipt.logs) {
    if (!isAddressEqual(log.address, BATCH_SETTLEMENT_ADDRESS)) continue;
    try {
      const event = decodeEventLog({ abi: batchSettlementAbi, topics: log.topics, data: log.data });
      if (
        event.eventName === 'Settled' &&
        isAddressEqual(event.args.receiver, payload.receiver) &&
        isAddressEqual(event.args.token, payload.token)
      )
        return event.args.amount;
    } catch {
      // another event of the escrow
    }
  }
  return 0n;
}
