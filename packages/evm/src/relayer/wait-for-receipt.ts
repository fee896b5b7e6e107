/**
 * Receipt waiting by fast polling of `eth_getTransactionReceipt`, bounded in time. (viem's default
 * 4 s polling interval stalls settles on fast chains; here the interval is the caller's.)
 */

import { sleep } from '@x402kit/core/internal';
import type { Address, Hash, Hex, PublicClient } from 'viem';

/** The parts of a receipt settlement needs. */
export type ReceiptSummary = {
  status: 'success' | 'reverted';
  blockNumber: bigint;
  logs: ReadonlyArray<{ address: Address; topics: [Hex, ...Hex[]] | []; data: Hex }>;
};

/** Options of `waitForReceipt`. */
export type WaitForReceiptOptions = {
  /**
   * Longest pause between polls. The first poll is immediate and the pauses grow from 4 ms,
   * doubling up to this, so a receipt that lands a moment later (anvil, fast L2s) is seen within
   * milliseconds while a slow chain is not flooded.
   */
  pollingIntervalMs: number;
  /** Give up after this long and resolve `undefined`. */
  timeoutMs: number;
  /** Stops waiting early (resolves `undefined`), noticed within one polling interval. */
  signal?: AbortSignal;
};

/**
 * Poll for the receipt of `hash`. Resolves `undefined` when the time is up or `signal` aborts, never
 * rejects for RPC hiccups (they are retried on the next poll).
 *
 * @example
 * const receipt = await waitForReceipt(publicClient, hash, { pollingIntervalMs: 100, timeoutMs: 30_000 })
 * if (!receipt) return pending(hash)
 */
export async function waitForReceipt(
  client: Pick<PublicClient, 'request'>,
  hash: Hash,
  options: WaitForReceiptOptions,
): Promise<ReceiptSummary | undefined> {
  return (await waitForAnyReceipt(client, [hash], options))?.receipt;
}

/**
 * Poll for the receipt of any of `hashes` (a transaction and its replacements: at most one of them
 * can be mined). Same timing and error handling as {@link waitForReceipt}.
 *
 * @example
 * const found = await waitForAnyReceipt(publicClient, [hash, replacement], { pollingIntervalMs: 100, timeoutMs: 5_000 })
 * if (found) report(found.hash, found.receipt)
 */
export async function waitForAnyReceipt(
  client: Pick<PublicClient, 'request'>,
  hashes: readonly Hash[],
  options: WaitForReceiptOptions,
): Promise<{ hash: Hash; receipt: ReceiptSummary } | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  let pause = Math.min(FIRST_PAUSE_MS, options.pollingIntervalMs);
  for (;;) {
    if (options.signal?.aborted) return undefined;
    const found = await Promise.all(hashes.map((hash) => readReceipt(client, hash)));
    const index = found.findIndex((receipt) => receipt !== undefined);
    const hash = hashes[index];
    const receipt = found[index];
    if (hash && receipt) return { hash, receipt };
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, options.pollingIntervalMs);
  }
}

async function readReceipt(
  client: Pick<PublicClient, 'request'>,
  hash: Hash,
): Promise<ReceiptSummary | undefined> {
  try {
    const raw = await client.request({ method: 'eth_getTransactionReceipt', params: [hash] });
    if (!raw) return undefined;
    return {
      status: raw.status === '0x1' ? 'success' : 'reverted',
      blockNumber: BigInt(raw.blockNumber),
      logs: raw.logs.map((log) => ({ address: log.address, topics: log.topics, data: log.data })),
    };
  } catch {
    // transient RPC failure: poll again
    return undefined;
  }
}

const FIRST_PAUSE_MS = 4;
