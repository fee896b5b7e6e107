/**
 * API keys for the facilitator service: `Authorization: Bearer <key>` (AEON) or `X-API-KEY: <key>`
 * (BofAI), optional anonymous access, per-key and anonymous rate limits (429 with `Retry-After`),
 * and per-key payTo / asset allow-lists checked once the body is parsed (403). `/supported` stays
 * open (`/health` never reaches `authenticate`). An unknown key is a 401 even when anonymous access
 * is allowed. Keys are matched by their SHA-256 digests compared in constant time, so the time an
 * answer takes says nothing about how much of a key a caller guessed right.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import type { Authenticate, Authorize } from './service-types.js';

/** One API key the facilitator accepts: the secret, its name and what it may ask to pay. */
export type ApiKeyEntry = {
  /** The secret the client sends. */
  key: string;
  /** A name for logs and metrics (the principal is `key:<name>`). */
  name: string;
  /** Addresses this key may ask to pay; absent means any. */
  payTo?: readonly string[];
  /** Token addresses this key may use; absent means any. */
  assets?: readonly string[];
  rateLimitPerMinute?: number;
};

/** Options of `createApiKeyAuth`. */
export type ApiKeyAuthOptions = {
  keys: readonly ApiKeyEntry[];
  /**
   * Requests without a key: allowed or 401, and their rate limit (per client address). Behind a
   * reverse proxy set `trustProxy`: the client is then the last `X-Forwarded-For` entry (the address
   * your proxy saw; earlier entries are whatever the client wrote and are ignored).
   */
  anonymous: { allowed: boolean; rateLimitPerMinute?: number; trustProxy?: boolean };
  /** Default: in memory, per instance (`createPostgresRateLimiter` shares limits across instances). */
  limiter?: RateLimiter;
  /**
   * The one comparable form of an address, for the payTo/asset allow-lists (the chain modules'
   * `addressKey`, e.g. through `chainAddressKey`); `undefined` for what is no address. Default:
   * the address lower-cased.
   */
  addressKey?: (address: string) => string | undefined;
};

/** What `createApiKeyAuth` returns. */
export type ApiKeyAuth = { authenticate: Authenticate; authorize: Authorize };

/** The principal of requests without a key. */
export const ANONYMOUS_PRINCIPAL = 'anonymous';

/**
 * Create the `authenticate` and `authorize` hooks of `createFacilitatorService`.
 *
 * @example
 * const auth = createApiKeyAuth({ keys: [{ key: 'secret', name: 'acme' }], anonymous: { allowed: false } })
 * createFacilitatorService({ facilitator, ...auth })
 */
export function createApiKeyAuth(options: ApiKeyAuthOptions): ApiKeyAuth {
  const findEntry = createKeyMatcher(options.keys);
  const byPrincipal = new Map<string, ApiKeyEntry>();
  for (const entry of options.keys) byPrincipal.set(`key:${entry.name}`, entry);
  const limiter = options.limiter ?? createRateLimiter();
  const { anonymous } = options;
  const addressKey = options.addressKey ?? ((address: string) => address.toLowerCase());
  const includesAddress = (list: readonly string[], value: unknown): boolean => {
    if (typeof value !== 'string') return false;
    const wanted = addressKey(value);
    return wanted !== undefined && list.some((item) => addressKey(item) === wanted);
  };

  const authenticate: Authenticate = async (request) => {
    // what the facilitator serves is public, like /health
    if (request.endpoint === 'supported') return { ok: true };
    const key = presentedKey(request.headers);
    if (key === undefined) {
      if (!anonymous.allowed) {
        return {
          ok: false,
          status: 401,
          reason: 'unauthorized',
          message: 'an API key is required: send Authorization: Bearer <key> or X-API-KEY: <key>',
        };
      }
      if (anonymous.rateLimitPerMinute !== undefined) {
        const decision = await limiter.take(
          `anon:${clientAddress(request, anonymous.trustProxy ?? false)}`,
          anonymous.rateLimitPerMinute,
        );
        if (!decision.ok) return rateLimited(decision.retryAfterSeconds);
      }
      return { ok: true, principal: ANONYMOUS_PRINCIPAL };
    }
    const entry = findEntry(key);
    if (!entry) return { ok: false, status: 401, reason: 'unauthorized', message: 'unknown API key' };
    const principal = `key:${entry.name}`;
    if (entry.rateLimitPerMinute !== undefined) {
      const decision = await limiter.take(principal, entry.rateLimitPerMinute);
      if (!decision.ok) return rateLimited(decision.retryAfterSeconds);
    }
    return { ok: true, principal };
  };

  const authorize: Authorize = (request) => {
    const entry = request.principal === undefined ? undefined : byPrincipal.get(request.principal);
    if (!entry) return { ok: true };
    const { payTo, asset } = request.paymentRequirements;
    if (entry.payTo && !includesAddress(entry.payTo, payTo)) {
      return forbidden(`API key "${entry.name}" may not pay ${String(payTo)}`);
    }
    if (entry.assets && !includesAddress(entry.assets, asset)) {
      return forbidden(`API key "${entry.name}" may not use asset ${String(asset)}`);
    }
    return { ok: true };
  };

  return { authenticate, authorize };
}

/**
 * The entry a presented key belongs to. The presented key and every configured key are hashed
 * (SHA-256, so every comparison is 32 bytes against 32 bytes whatever the lengths) and ALL digests
 * are compared with `timingSafeEqual`, without stopping at a match: no early exit on the raw key,
 * no hash-table lookup keyed by the secret. As with a map, the last entry with that key wins.
 */
function createKeyMatcher(keys: readonly ApiKeyEntry[]): (presented: string) => ApiKeyEntry | undefined {
  const digests = keys.map((entry) => ({ digest: sha256(entry.key), entry }));
  return (presented) => {
    const wanted = sha256(presented);
    let found: ApiKeyEntry | undefined;
    for (const { digest, entry } of digests) {
      if (timingSafeEqual(digest, wanted)) found = entry;
    }
    return found;
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The socket's peer, or with a trusted proxy in front the address that proxy appended last. */
function clientAddress(
  request: { remoteAddress?: string; headers: { get(name: string): string | null } },
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const forwarded = request.headers.get('x-forwarded-for');
    const last = forwarded
      ?.split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
      .at(-1);
    if (last) return last;
  }
  return request.remoteAddress ?? '';
}

function presentedKey(headers: { get(name: string): string | null }): string | undefined {
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match?.[1]) return match[1];
  }
  const apiKey = headers.get('x-api-key')?.trim();
  return apiKey ? apiKey : undefined;
}

function rateLimited(retryAfterSeconds: number) {
  return {
    ok: false,
    status: 429,
    reason: 'rate_limited',
    message: `too many requests; retry after ${retryAfterSeconds} s`,
    retryAfterSeconds,
  } as const;
}

function forbidden(message: string) {
  return { ok: false, status: 403, reason: 'forbidden', message } as const;
}
