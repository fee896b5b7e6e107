/** Waiting, the same way in every package (browser-safe: no Node module). */

/**
 * Wait `ms`, or reject with the signal's reason once it aborts (at once when it already has).
 *
 * @example
 * await sleep(250);
 * await sleep(retryAfterMs(res.headers.get('retry-after')), request.signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
