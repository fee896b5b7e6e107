/**
 * The spec's client verification rules, applied to the settlement that answered one of the client's
 * payments: the charge is within the price, the charged total grows by exactly the charge, the balance
 * covers it and the channel is the one paid on. Internal to the client.
 */
import type { PaymentPayload, SettleResponse } from '@x402kit/core';
import type { Hex } from 'viem';
import type { ClientChannelRecord } from './client-channel-storage.js';
import { readBatchPayload } from './payload.js';

/** What a settlement teaches the client: the channel's new record, or why the channel is distrusted. */
export type SettlementVerdict =
  | { channelId: Hex; record: ClientChannelRecord }
  | { channelId: Hex; distrust: string };

/**
 * Check a successful settlement of a `deposit`, `voucher` or `refund` payload; undefined when the payload
 * is none of the client's.
 */
export function checkSettlement(
  payload: PaymentPayload,
  settlement: SettleResponse,
): SettlementVerdict | undefined {
  const read = readBatchPayload(payload.payload, ['deposit', 'voucher', 'refund']);
  if (!read.ok || !('voucher' in read.payload)) return undefined;
  const sent = read.payload;
  const channelId = sent.voucher.channelId;
  const signed = BigInt(sent.voucher.maxClaimableAmount);
  const extra = recordOf(settlement.extra);
  const state = recordOf(extra.channelState);
  const distrust = (why: string) => ({ channelId, distrust: why });
  if (typeof state.channelId !== 'string' || state.channelId.toLowerCase() !== channelId)
    return distrust(`the settlement's channelState.channelId is not ${channelId}`);
  const balance = amountOf(state.balance);
  if (balance === undefined) return distrust('the settlement carries no channelState.balance');
  if (sent.type === 'refund') {
    // zero-charge: the charged total stays the voucher's
    return { channelId, record: { chargedCumulativeAmount: signed.toString(), balance: balance.toString() } };
  }
  const price = BigInt(payload.accepted.amount);
  const charged = amountOf(extra.chargedAmount);
  if (charged === undefined) return distrust('the settlement carries no extra.chargedAmount');
  if (charged > price) return distrust(`chargedAmount ${charged} is above the price ${price}`);
  const expected = signed - price + charged;
  const reported =
    state.chargedCumulativeAmount === undefined ? expected : amountOf(state.chargedCumulativeAmount);
  if (reported !== expected)
    return distrust(
      `chargedCumulativeAmount ${String(state.chargedCumulativeAmount)} is not the previous total plus the charge (${expected})`,
    );
  if (balance < expected)
    return distrust(`the balance ${balance} does not cover the charged total ${expected}`);
  return { channelId, record: { chargedCumulativeAmount: expected.toString(), balance: balance.toString() } };
}

function amountOf(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return typeof value === 'string' && /^\d{1,78}$/.test(value) ? BigInt(value) : undefined;
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
