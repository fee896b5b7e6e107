/**
 * The part every settlement shares once its call is encoded: send it through a relayer, report the
 * broadcast, wait a bounded time for the receipt. The scheme maps each outcome to its own reason
 * strings; what cannot differ between schemes (an ambiguous send is pending, a missing receipt
 * resets the nonce lane and is pending) is decided here once.
 */
import type { Hash, PublicClient } from 'viem';
import { errorText } from '../error-text.js';
import { notifyBroadcast } from './notify-broadcast.js';
import { type RelayedCall, type Relayer, RelayerSendError } from './relayer.js';
import { type ReceiptSummary, waitForReceipt } from './wait-for-receipt.js';

export type RelaySettlementOptions = {
  relayer: Pick<Relayer, 'send' | 'reset'>;
  call: RelayedCall;
  client: Pick<PublicClient, 'request'>;
  pollingIntervalMs: number;
  receiptTimeoutMs: number;
  signal?: AbortSignal;
  /** Told the hash right after broadcast (a ledger records it). */
  onBroadcast?: (transaction: string) => Promise<void> | void;
};

/** How a relayed settlement ended: refused before broadcast, sent but unconfirmed, or mined. */
export type RelayedSettlement =
  | { kind: 'refused'; message: string }
  | { kind: 'pending'; hash: Hash; message: string }
  | { kind: 'mined'; hash: Hash; receipt: ReceiptSummary };

/**
 * Send `call`, report the broadcast, and wait for its receipt.
 *
 * @example
 * const sent = await relaySettlement({ relayer, call: { to, data, gas }, client, pollingIntervalMs: 100, receiptTimeoutMs: 30_000 })
 * if (sent.kind === 'mined' && sent.receipt.status === 'success') return settled(sent.hash)
 */
export async function relaySettlement(options: RelaySettlementOptions): Promise<RelayedSettlement> {
  let hash: Hash;
  try {
    hash = await options.relayer.send(options.call);
  } catch (error) {
    if (error instanceof RelayerSendError && error.ambiguous && error.hash) {
      return {
        kind: 'pending',
        hash: error.hash,
        message: `broadcast timed out; the transaction may still land: ${error.message}`,
      };
    }
    return { kind: 'refused', message: errorText(error instanceof RelayerSendError ? error.cause : error) };
  }
  await notifyBroadcast(options.onBroadcast, hash);
  const receipt = await waitForReceipt(options.client, hash, {
    pollingIntervalMs: options.pollingIntervalMs,
    timeoutMs: options.receiptTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!receipt) {
    options.relayer.reset();
    return {
      kind: 'pending',
      hash,
      message: `no receipt for ${hash} within ${options.receiptTimeoutMs} ms; it may still be mined`,
    };
  }
  return { kind: 'mined', hash, receipt };
}
