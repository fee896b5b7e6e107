/**
 * A token-bucket rate limiter kept in memory: each key gets `perMinute` tokens, refilled
 * continuously. Per instance only: several instances behind a load balancer each allow the full
 * rate; `createPostgresRateLimiter` shares the budget through the PostgreSQL ledger's database.
 */

export type RateLimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** A token-bucket rate limiter per key (in memory, or shared through PostgreSQL). */
export type RateLimiter = {
  /** Take one token for `key`, or say how long until one is available. */
  take(key: string, perMinute: number): RateLimitDecision | Promise<RateLimitDecision>;
};

type Bucket = { tokens: number; updated: number };

/** Buckets untouched for this long are full again and are dropped. */
const IDLE_MS = 60_000;
const MAX_BUCKETS = 100_000;

/**
 * Create a limiter.
 *
 * @example
 * const limiter = createRateLimiter()
 * limiter.take('key:acme', 60) // { ok: true }
 */
export function createRateLimiter(options: { now?: () => number } = {}): RateLimiter & {
  take(key: string, perMinute: number): RateLimitDecision;
} {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();

  function sweep(at: number): void {
    for (const [key, bucket] of buckets) if (at - bucket.updated > IDLE_MS) buckets.delete(key);
  }

  return {
    take(key, perMinute) {
      const at = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= MAX_BUCKETS) sweep(at);
        bucket = { tokens: perMinute, updated: at };
        buckets.set(key, bucket);
      } else {
        const refill = ((at - bucket.updated) / 60_000) * perMinute;
        bucket.tokens = Math.min(perMinute, bucket.tokens + refill);
        bucket.updated = at;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      const waitMs = ((1 - bucket.tokens) / perMinute) * 60_000;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    },
  };
}
