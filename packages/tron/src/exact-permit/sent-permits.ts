/**
 * Memory of broadcast settlements, so the same permit is never broadcast twice: a second settle of a
 * permit whose transaction is in flight waits for that transaction instead. An entry can go once its
 * transaction has expired (TRON never includes an expired transaction) plus a margin: by then the
 * permit's nonce is either used on chain, which verification refuses, or free again.
 */
import { tronAddressBody } from '../address.js';

/**
 * One broadcast settlement.
 *
 * @example
 * const sent: SentPermit = { txid: '9f…', expiration: Date.now() + 60_000, payer: 'T…', transfer };
 */
export type SentPermit = {
  /** 64 lowercase hex, no `0x`. */
  txid: string;
  /** The transaction's `expiration`, in ms. */
  expiration: number;
  /** Base58. */
  payer: string;
  /** The `Transfer` the receipt must show: 40-hex bodies (no `0x`) and the amount. */
  transfer: { token: string; from: string; to: string; amount: bigint };
};

/**
 * A bounded map of {@link SentPermit}s by {@link sentPermitKey}.
 *
 * @example
 * const sent: SentPermits = createSentPermits();
 */
export type SentPermits = {
  get(key: string): SentPermit | undefined;
  set(key: string, value: SentPermit): void;
  delete(key: string): void;
  readonly size: number;
};

/** How long past its expiration a transaction is remembered (block-time skew). */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Creates the memory. Expired entries are dropped as new ones arrive; past `maxEntries` the oldest go.
 *
 * @example
 * const sent = createSentPermits({ maxEntries: 1000 });
 */
export function createSentPermits(options: { maxEntries?: number; now?: () => number } = {}): SentPermits {
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, SentPermit>();
  return {
    get: (key) => entries.get(key),
    set(key, value) {
      const cutoff = now() - EXPIRY_MARGIN_MS;
      for (const [k, v] of entries) if (v.expiration < cutoff) entries.delete(k);
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    delete: (key) => void entries.delete(key),
    get size() {
      return entries.size;
    },
  };
}

/**
 * The identity of a permit on a chain: chain id, buyer (20-byte body) and nonce, read leniently from
 * the raw payload; `undefined` when they are unreadable (verification then refuses the payment).
 *
 * @example
 * sentPermitKey(3448148188, paymentPayload.payload); // '3448148188|0x2c75…|123456789'
 */
export function sentPermitKey(chainId: number, payload: Record<string, unknown>): string | undefined {
  const permit = payload.paymentPermit;
  if (typeof permit !== 'object' || permit === null) return undefined;
  const buyer: unknown = Reflect.get(permit, 'buyer');
  const meta: unknown = Reflect.get(permit, 'meta');
  const nonce: unknown = typeof meta === 'object' && meta !== null ? Reflect.get(meta, 'nonce') : undefined;
  if (typeof buyer !== 'string') return undefined;
  if (
    !(typeof nonce === 'number' && Number.isSafeInteger(nonce)) &&
    !(typeof nonce === 'string' && /^\d{1,78}$/.test(nonce))
  )
    return undefined;
  try {
    return `${chainId}|${tronAddressBody(buyer)}|${BigInt(nonce).toString()}`;
  } catch {
    return undefined;
  }
}
