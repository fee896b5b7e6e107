/**
 * Receipt waiting by fast polling of `eth_getTransactionReceipt`, bounded in time. (viem's default
 * 4 s polling interval stalls settles on fast chains; here the interval is the caller's.)
 */
import type { Address, Hash, Hex, PublicClient } from 'viem';

/** The parts of a receipt settlement needs. */
export type ReceiptSummary = {
  status: 'success' | 'reverted';
  blockNumber: bigint;
  logs: ReadonlyArray<{ address: Address; topics: [Hex, ...Hex[]] | []; data: Hex }>;
};

export type WaitForReceiptOptions = {
  /**
   * Longest pause between polls. The first poll is immediate and the pauses grow from 4 ms,
   * doubling up to this, so a receipt that lands a moment later (anvil, fast L2s) is seen within
   * milliseconds while a slow chain is not flooded.
   */
  pollingIntervalMs: number;
  /** Give up after this long and resolve `undefined`. */
  timeoutMs: number;
  /** Stops waiting early (resolves `undefined`). */
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
  const deadline = Date.now() + options.timeoutMs;
  let pause = Math.min(FIRST_PAUSE_MS, options.pollingIntervalMs);
  for (;;) {
    if (options.signal?.aborted) return undefined;
    try {
      const raw = await client.request({ method: 'eth_getTransactionReceipt', params: [hash] });
      if (raw) {
        return {
          status: raw.status === '0x1' ? 'success' : 'reverted',
          blockNumber: BigInt(raw.blockNumber),
          logs: raw.logs.map((log) => ({ address: log.address, topics: log.topics, data: log.data })),
        };
      }
    } catch {
      // transient RPC failure: poll again
    }
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(pause, left), options.signal);
    pause = Math.min(pause * 2, options.pollingIntervalMs);
  }
}

const FIRST_PAUSE_MS = 4;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
