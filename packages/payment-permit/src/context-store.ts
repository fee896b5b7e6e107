/**
 * Where a resource server remembers the `paymentPermitContext`s it issued, until their window closes,
 * and which permit used each. In-process by default; several server processes behind one URL share
 * one store (a database or key-value service) by implementing {@link PaymentPermitContextStore}.
 */

/** A context this server issued, as its store keeps it. */
export type IssuedPaymentPermitContext = {
  /** `paymentId|nonce` ({@link paymentPermitContextKey}). */
  key: string;
  /** Unix seconds, as issued. */
  validAfter: number;
  /** Unix seconds, as issued. */
  validBefore: number;
  /** {@link offerKey}s of the offers of the 402 it was issued in. */
  offers: readonly string[];
  /** Unix seconds after which the store may forget it. */
  expiresAt: number;
};

/**
 * The store behind the context check. Each method may answer synchronously or with a promise.
 *
 * @example
 * const store: PaymentPermitContextStore = createMemoryPaymentPermitContextStore({ maxEntries: 100_000 });
 */
export type PaymentPermitContextStore = {
  /** Remember an issued context until its `expiresAt`. */
  issue(context: IssuedPaymentPermitContext): void | Promise<void>;
  /** The issued context under `key`, or `undefined` when it was never issued or is forgotten. */
  find(
    key: string,
    now: number,
  ): IssuedPaymentPermitContext | undefined | Promise<IssuedPaymentPermitContext | undefined>;
  /**
   * Bind the context under `key` to one permit (`fingerprint`), once and atomically: of two claims
   * with different fingerprints exactly one wins. Answers the fingerprint the context is bound to
   * (this one when it was free), or `undefined` when `key` is not remembered.
   */
  claim(key: string, fingerprint: string, now: number): string | undefined | Promise<string | undefined>;
};

/** Options of {@link createMemoryPaymentPermitContextStore}. */
export type MemoryPaymentPermitContextStoreOptions = {
  /** Most contexts remembered at once; the oldest are forgotten first. Default 100 000. */
  maxEntries?: number;
};

/**
 * The in-process store: a map bounded by `maxEntries`, its entries dropped once expired. Every 402
 * adds one entry, so `maxEntries` must cover the 402s served within one `maxTimeoutSeconds`; past
 * it, the oldest contexts are forgotten and their permits refused as not issued.
 *
 * @example
 * const server = createExactPermitEvmServer({ contextStore: createMemoryPaymentPermitContextStore() });
 */
export function createMemoryPaymentPermitContextStore(
  options: MemoryPaymentPermitContextStoreOptions = {},
): PaymentPermitContextStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, { context: IssuedPaymentPermitContext; claimedBy?: string }>();
  const live = (key: string, now: number) => {
    const entry = entries.get(key);
    if (entry && entry.context.expiresAt < now) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    issue(context) {
      entries.delete(context.key);
      entries.set(context.key, { context });
      // insertion order is issue order: drop expired entries from the front, then the oldest over the bound
      const now = Math.floor(Date.now() / 1000);
      for (const [key, entry] of entries) {
        if (entries.size <= maxEntries && entry.context.expiresAt >= now) break;
        entries.delete(key);
      }
    },
    find: (key, now) => live(key, now)?.context,
    claim(key, fingerprint, now) {
      const entry = live(key, now);
      if (!entry) return undefined;
      entry.claimedBy ??= fingerprint;
      return entry.claimedBy;
    },
  };
}

/**
 * The store key of a context: its payment id (lower case) and nonce (decimal).
 *
 * @example paymentPermitContextKey('0x00112233445566778899AABBCCDDEEFF', 42n) // '0x00112233445566778899aabbccddeeff|42'
 */
export function paymentPermitContextKey(paymentId: string, nonce: bigint | string): string {
  return `${paymentId.toLowerCase()}|${BigInt(nonce).toString()}`;
}
