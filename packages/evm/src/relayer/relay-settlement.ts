/**
 * The part every settlement shares once its call is encoded: send it through a relayer (or hand it
 * to the network's settlement batcher), report the broadcast, wait a bounded time for the receipt,
 * replacing the transaction while it is stuck. The scheme maps each outcome to its own reason
 * strings; what cannot differ between schemes (a send of unknown outcome is reported and watched
 * like a sent one, only a proven refusal is `refused`, a missing receipt resets the nonce lane and
 * is pending) is decided here once.
 */
import { notifyBroadcast } from '@x402kit/core/internal';
import type { PublicClient } from 'viem';
import {
  type BatchRelayOptions,
  type RelayedCall,
  type RelayedSettlement,
  relayOptions,
} from './relayed-call.js';
import type { Relayer } from './relayer.js';
import { sendCall } from './send-call.js';
import { watchTransaction } from './watch-transaction.js';

export type RelaySettlementOptions = {
  /** `replace`, `forget` and `stuckAfterMs` enable stuck-transaction replacement; `batcher` batching. */
  relayer: Pick<Relayer, 'send' | 'reset'> &
    Partial<Pick<Relayer, 'replace' | 'forget' | 'stuckAfterMs' | 'batcher'>>;
  call: RelayedCall;
  client: Pick<PublicClient, 'request'>;
} & BatchRelayOptions;

/**
 * Send `call`, report the broadcast, and wait for its receipt.
 *
 * @example
 * const sent = await relaySettlement({ relayer, call: { to, data, gas }, client, pollingIntervalMs: 100, receiptTimeoutMs: 30_000 })
 * if (sent.kind === 'mined' && sent.receipt.status === 'success') return settled(sent.hash)
 */
export async function relaySettlement(options: RelaySettlementOptions): Promise<RelayedSettlement> {
  const { relayer, call } = options;
  if (relayer.batcher?.accepts(call)) {
    return relayer.batcher.relay(call, relayOptions(options, options));
  }
  const sent = await sendCall(relayer, call);
  if (sent.kind === 'refused') return sent;
  const { hash, unknownOutcome } = sent;
  await notifyBroadcast(options.onBroadcast, hash);
  const watched = await watchTransaction(hash, {
    client: options.client,
    // a send of unknown outcome is never replaced: its nonce may be someone else's by now
    ...(unknownOutcome ? {} : { relayer }),
    pollingIntervalMs: options.pollingIntervalMs,
    timeoutMs: options.receiptTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    onReplaced: (replacement) => notifyBroadcast(options.onBroadcast, replacement),
  });
  relayer.forget?.(hash);
  if (!watched.receipt) {
    relayer.reset();
    return {
      kind: 'pending',
      hash: watched.hash,
      message:
        `${unknownOutcome ? `${unknownOutcome}; ` : ''}no receipt for ${watched.hashes.join(' or ')} ` +
        `within ${options.receiptTimeoutMs} ms; it may still be mined`,
    };
  }
  return { kind: 'mined', hash: watched.hash, receipt: watched.receipt };
}
