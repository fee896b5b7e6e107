/**
 * Concurrent settles of the same payment share one run: a client that retries while the first
 * settle is still waiting for its receipt gets that settle's answer instead of a second send. One
 * home for every scheme's facilitator: through `createSchemeLifetime` (EVM exact, upto and
 * exact_permit; TRON exact_permit), directly (TRON exact_gasfree, Solana exact).
 */

/**
 * A runner that shares one promise between concurrent calls with the same key; a call without a
 * key (`undefined` or `''`) always runs on its own. The key is forgotten once the run ends.
 *
 * @example
 * const shared = createSharedSettlements<SettleResponse>();
 * return shared(settlementKey(payload), () => settleOnce(payload));
 */
export function createSharedSettlements<T>(): (key: string | undefined, run: () => Promise<T>) => Promise<T> {
  const running = new Map<string, Promise<T>>();
  return (key, run) => {
    if (!key) return run();
    const current = running.get(key);
    if (current) return current;
    const task = run().finally(() => running.delete(key));
    running.set(key, task);
    return task;
  };
}
