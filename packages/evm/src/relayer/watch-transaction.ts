/**
 * Waiting for a sent transaction that may get stuck: poll for its receipt, and when none came after
 * the relayer's `stuckAfterMs`, replace it (same nonce, higher fees) and watch every version until
 * one of them is mined or the time is up.
 */
import type { Hash, PublicClient } from 'viem';
import { type Relayer, RelayerSendError } from './relayer.js';
import { type ReceiptSummary, waitForAnyReceipt } from './wait-for-receipt.js';

/** Options of `watchTransaction`. */
export type WatchTransactionOptions = {
  client: Pick<PublicClient, 'request'>;
  /** The relayer that sent the transaction; without `replace` (or with `stuckAfterMs` 0) nothing is replaced. */
  relayer?: Partial<Pick<Relayer, 'replace' | 'stuckAfterMs'>>;
  pollingIntervalMs: number;
  /** Give up after this long in all. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** At most this many replacements; default 3. */
  maxReplacements?: number;
  /** Told each replacement's hash right after its broadcast, even one of unknown outcome (a ledger records it). */
  onReplaced?: (hash: Hash) => Promise<void> | void;
};

/** The outcome: the mined version and its receipt, or no receipt; `hashes` lists every version sent. */
export type WatchedTransaction = {
  /** The mined version, else the latest one sent. */
  hash: Hash;
  receipt: ReceiptSummary | undefined;
  hashes: Hash[];
};

/**
 * Watch `hash` until one of its versions is mined, replacing it while it is stuck.
 *
 * @example
 * const watched = await watchTransaction(hash, { client, relayer, pollingIntervalMs: 100, timeoutMs: 30_000 })
 * if (!watched.receipt) return pending(watched.hash)
 */
export async function watchTransaction(
  hash: Hash,
  options: WatchTransactionOptions,
): Promise<WatchedTransaction> {
  const hashes: Hash[] = [hash];
  const deadline = Date.now() + options.timeoutMs;
  const stuckAfterMs = options.relayer?.stuckAfterMs ?? 0;
  const replace = options.relayer?.replace;
  const maxReplacements = options.maxReplacements ?? 3;
  let attempts = 0;
  for (;;) {
    const left = deadline - Date.now();
    const canReplace = replace !== undefined && stuckAfterMs > 0 && attempts < maxReplacements;
    const found = await waitForAnyReceipt(options.client, hashes, {
      pollingIntervalMs: options.pollingIntervalMs,
      timeoutMs: Math.max(0, canReplace ? Math.min(left, stuckAfterMs) : left),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (found) return { hash: found.hash, receipt: found.receipt, hashes };
    const latest = hashes[hashes.length - 1] ?? hash;
    if (!canReplace || options.signal?.aborted || Date.now() >= deadline) {
      return { hash: latest, receipt: undefined, hashes };
    }
    attempts += 1;
    let next: Hash | undefined;
    try {
      next = await replace(latest);
    } catch (error) {
      // a replacement of unknown outcome may be mined: watch it too. A refusal (a version was
      // mined: `nonce too low`; or the bump was not enough): keep watching what we have
      if (error instanceof RelayerSendError && error.ambiguous) next = error.hash;
    }
    if (next && !hashes.includes(next)) {
      hashes.push(next);
      await options.onReplaced?.(next);
    }
  }
}
