/**
 * A bounded map whose entries expire: the memory a server keeps per payment (pending settlements,
 * held responses) must not grow without limit or outlive the payment's time window.
 */

/** Options of {@link createExpiringMap}. */
export type ExpiringMapOptions = {
  /** How long an entry is kept after it was set, in ms. */
  ttlMs: number;
  /** Most entries kept; the oldest are dropped first. */
  maxEntries: number;
  /** Clock (epoch ms), for tests; default `Date.now`. */
  now?: () => number;
};

/** A map with a time to live and a size bound. */
export type ExpiringMap<K, V> = {
  get(key: K): V | undefined;
  /** The entry, removed: exactly one of several concurrent takers gets it. */
  take(key: K): V | undefined;
  set(key: K, value: V): void;
  delete(key: K): void;
  readonly size: number;
};

/**
 * Create a bounded, expiring map.
 *
 * @example
 * const held = createExpiringMap<string, Response>({ ttlMs: 600_000, maxEntries: 1000 })
 * held.set(attempt, response); held.take(attempt) // the response, once
 */
export function createExpiringMap<K, V>(options: ExpiringMapOptions): ExpiringMap<K, V> {
  const now = options.now ?? Date.now;
  const entries = new Map<K, { at: number; value: V }>();
  const get = (key: K): V | undefined => {
    const found = entries.get(key);
    if (!found) return undefined;
    if (now() - found.at > options.ttlMs) {
      entries.delete(key);
      return undefined;
    }
    return found.value;
  };
  return {
    get,
    take(key) {
      const value = get(key);
      entries.delete(key);
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { at: now(), value });
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
