/**
 * Polls a node until a transaction is in a block, with a bounded wait that starts with fast polls and
 * backs off to the configured interval.
 */

import { sleep } from '@x402kit/core/internal';
import type { TronNodeClient } from './node-client.js';
import { TronNodeError } from './node-error.js';
import type { TronTransactionInfo } from './node-schemas.js';
import { TronReasons } from './reasons.js';

/**
 * Options of {@link waitForTransactionInfo}.
 *
 * @example
 * const options: WaitForTransactionInfoOptions = { timeoutMs: 90_000, solidified: true };
 */
export type WaitForTransactionInfoOptions = {
  /** Give up after this long. Default 60 000 ms (solidification takes about a minute). */
  timeoutMs?: number;
  /** Slowest poll interval; polls start at a quarter of it and double up to it. Default 3 000 ms (one block). */
  pollMs?: number;
  /** Read `/walletsolidity/…` (irreversible, ~19 blocks) instead of the head block. Default false. */
  solidified?: boolean;
  /** Stop waiting early. */
  signal?: AbortSignal;
};

const TRANSIENT: ReadonlySet<string> = new Set([
  TronReasons.nodeTimeout,
  TronReasons.nodeHttpError,
  TronReasons.nodeRateLimited,
  TronReasons.nodeBadResponse,
]);

/**
 * Waits until the node knows the transaction's block and returns its info (check `receipt.result` for
 * `SUCCESS`). Transient node failures are retried until the deadline.
 *
 * @throws {TronNodeError} `tron_tx_wait_timeout` when the deadline passes (or `signal` aborts).
 * @example
 * const info = await waitForTransactionInfo(node, txid, { timeoutMs: 60_000 });
 * if (info.receipt?.result !== 'SUCCESS') throw new Error(`reverted: ${info.receipt?.result}`);
 */
export async function waitForTransactionInfo(
  node: TronNodeClient,
  id: string,
  options: WaitForTransactionInfoOptions = {},
): Promise<TronTransactionInfo> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = Math.max(10, options.pollMs ?? 3_000);
  const deadline = Date.now() + timeoutMs;
  const path = options.solidified
    ? '/walletsolidity/gettransactioninfobyid'
    : '/wallet/gettransactioninfobyid';
  let interval = Math.max(10, Math.floor(pollMs / 4));
  let lastError: unknown;
  for (;;) {
    if (options.signal?.aborted) break;
    try {
      const info = await node.getTransactionInfoById(id, { solidified: options.solidified ?? false });
      if (info?.blockNumber !== undefined) return info;
    } catch (error) {
      if (!(error instanceof TronNodeError) || !TRANSIENT.has(error.reason)) throw error;
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    // an abort ends the wait early; the loop then stops and reports the timeout
    await sleep(Math.min(interval, left), options.signal).catch(() => undefined);
    interval = Math.min(pollMs, interval * 2);
  }
  throw new TronNodeError(
    TronReasons.waitTimeout,
    `transaction ${id} was not ${options.solidified ? 'solidified' : 'in a block'} within ${timeoutMs} ms; it may still confirm, do not rebroadcast blindly`,
    { path, ...(lastError === undefined ? {} : { cause: lastError }) },
  );
}
