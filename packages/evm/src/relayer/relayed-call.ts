/**
 * What a relayer sends and how a settlement it relays ends, and the settlement batcher a relayer may
 * carry: the types the relayer, `relaySettlement` and `createSettlementBatcher` share, in a file of
 * their own so that none of those modules imports another in a circle.
 */
import type { Address, Hash, Hex } from 'viem';
import type { ReceiptSummary } from './wait-for-receipt.js';

/**
 * A contract call to relay from the relayer's key. `gas` is the explicit limit: no estimate is made;
 * `value` (wei) for plain transfers such as a gas top-up.
 *
 * @example
 * const call: RelayedCall = { to: token, data, gas: 120_000n }
 */
export type RelayedCall = { to: Address; data: Hex; gas: bigint; value?: bigint };

/**
 * How a relayed settlement ended: refused before broadcast, sent but unconfirmed, or mined. For a
 * batched settlement, `receipt` is this call's own view of the batch: `reverted` when its sub-call
 * failed, and only its own logs.
 */
export type RelayedSettlement =
  | { kind: 'refused'; message: string }
  | { kind: 'pending'; hash: Hash; message: string }
  | { kind: 'mined'; hash: Hash; receipt: ReceiptSummary };

/** Per-call options of {@link SettlementBatcher.relay} (as `relaySettlement` takes them). */
export type BatchRelayOptions = {
  pollingIntervalMs: number;
  receiptTimeoutMs: number;
  signal?: AbortSignal;
  /**
   * Told the hash right after broadcast (also when the broadcast's outcome is unknown: the
   * transaction may be mined), and again for every replacement (a ledger records them).
   */
  onBroadcast?: (transaction: string) => Promise<void> | void;
};

/** The scheme's part of {@link BatchRelayOptions}: how often to poll, how long to wait for the receipt. */
export type RelayTiming = Pick<BatchRelayOptions, 'pollingIntervalMs' | 'receiptTimeoutMs'>;

/** The caller's part of {@link BatchRelayOptions}, as a scheme's settle is handed it: signal and broadcast hook. */
export type SettleCallOptions = Pick<BatchRelayOptions, 'signal' | 'onBroadcast'>;

/**
 * The {@link BatchRelayOptions} of one settlement: the scheme's polling interval and receipt timeout,
 * and the call's abort signal and broadcast hook when it has them.
 *
 * @example
 * const sent = await relaySettlement({ relayer, call, client, ...relayOptions(ctx, options) })
 */
export function relayOptions(
  timing: RelayTiming,
  call: { signal?: AbortSignal | undefined; onBroadcast?: BatchRelayOptions['onBroadcast'] | undefined } = {},
): BatchRelayOptions {
  return {
    pollingIntervalMs: timing.pollingIntervalMs,
    receiptTimeoutMs: timing.receiptTimeoutMs,
    ...(call.signal ? { signal: call.signal } : {}),
    ...(call.onBroadcast ? { onBroadcast: call.onBroadcast } : {}),
  };
}

/**
 * Batches EIP-3009 settlements into Multicall3 transactions; a relayer carries one when its network
 * batches (see `createSettlementBatcher`).
 *
 * @example
 * if (relayer.batcher?.accepts(call)) return relayer.batcher.relay(call, { pollingIntervalMs: 100, receiptTimeoutMs: 30_000 })
 */
export type SettlementBatcher = {
  /** Can this call join a batch (is it an EIP-3009 `transferWithAuthorization`)? */
  accepts(call: RelayedCall): boolean;
  /** Join the next batch; resolves with this call's own outcome. */
  relay(call: RelayedCall, options: BatchRelayOptions): Promise<RelayedSettlement>;
};
