/**
 * Waiting out a pending settlement, the same way in every paying client (fetch, axios, MCP): while
 * the server reports the payment's settlement pending, wait and present the SAME payment again, a
 * bounded number of times. The transport (how an answer reads as pending, how long it asks to wait,
 * how the request is sent again) is the caller's. Browser-safe: no Node module.
 */
import { sleep } from './sleep.js';

/** Wait before re-sending when the server gives no usable hint (`Retry-After` absent or unreadable). */
export const DEFAULT_PENDING_RETRY_MS = 1_000;

/** How long a paying client waits out a pending settlement: at most `maxRetries` re-sends, each at most `maxDelayMs` apart. */
export type PendingRetryLimits = { maxRetries: number; maxDelayMs: number };

/** A paying client's `pendingSettlement` option: how long it waits out a pending settlement, or `false`. */
export type PendingSettlementOption = false | { maxRetries?: number; maxDelayMs?: number };

/**
 * The option with its defaults (5 re-sends, at most 10 s apart); undefined for `false`.
 *
 * @example pendingRetryLimits(undefined) // { maxRetries: 5, maxDelayMs: 10000 }
 */
export function pendingRetryLimits(
  option: PendingSettlementOption | undefined,
): PendingRetryLimits | undefined {
  if (option === false) return undefined;
  return { maxRetries: option?.maxRetries ?? 5, maxDelayMs: option?.maxDelayMs ?? 10_000 };
}

/** What {@link resendWhilePending} needs from the transport. */
export type ResendWhilePendingSteps<T> = {
  /** The limits ({@link pendingRetryLimits}); undefined (the option was `false`) returns the first answer as it is. */
  limits: PendingRetryLimits | undefined;
  /** Does this answer report the settlement pending? */
  isPending: (answer: T) => boolean;
  /** How long this pending answer asks to wait, in ms (capped at `limits.maxDelayMs`). */
  delayMs: (answer: T) => number;
  /** Send the request again with the same payment. */
  resend: () => Promise<T>;
  /** Told before each wait (to log it, to release the pending answer's body). */
  onRetry?: (answer: T, retry: { attempt: number; delay: number }) => void | Promise<void>;
  /** Told when the last answer is still pending after `limits.maxRetries` re-sends. */
  onGiveUp?: (answer: T) => void;
  /** Aborting it rejects the wait with its reason. */
  signal?: AbortSignal | undefined;
};

/**
 * Re-send while the answer reports the settlement pending: attempts 1..`maxRetries`, each after
 * `min(delayMs(answer), maxDelayMs)`; the last answer, pending or not (`onGiveUp` told when it still is).
 *
 * @example
 * const answer = await resendWhilePending(await send(), {
 *   limits: pendingRetryLimits(options.pendingSettlement),
 *   isPending: isSettlementPending,
 *   delayMs: (res) => retryAfterMs(res.headers.get('retry-after')),
 *   resend: send,
 *   onRetry: (_res, { attempt, delay }) => log.info(`pending; re-sending in ${delay} ms`, { attempt }),
 *   signal: request.signal,
 * });
 */
export async function resendWhilePending<T>(first: T, steps: ResendWhilePendingSteps<T>): Promise<T> {
  const { limits } = steps;
  if (!limits) return first;
  let current = first;
  for (let attempt = 1; attempt <= limits.maxRetries && steps.isPending(current); attempt++) {
    const delay = Math.min(steps.delayMs(current), limits.maxDelayMs);
    await steps.onRetry?.(current, { attempt, delay });
    await sleep(delay, steps.signal);
    current = await steps.resend();
  }
  if (steps.onGiveUp && steps.isPending(current)) steps.onGiveUp(current);
  return current;
}
