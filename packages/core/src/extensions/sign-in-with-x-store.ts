/**
 * What a SIWX server remembers: which addresses paid for which resource (filled on each successful
 * settlement) and which sign-in nonces were used (each grants once). The in-memory store is the
 * default; a deployment with several instances gives all of them one shared store (a database)
 * behind the same interface.
 */

/** The memory of a SIWX server. Methods may be synchronous or return promises. */
export type SiwxStore = {
  /** Has `address` paid for `resource` (a path)? Addresses compare case-insensitively for `0x` forms. */
  hasPaid(resource: string, address: string): boolean | Promise<boolean>;
  /** Remember that `address` paid for `resource`. */
  recordPayment(resource: string, address: string): void | Promise<void>;
  /** Use a nonce: true the first time (remember it until `expiresAt`, epoch ms), false after. */
  useNonce(nonce: string, expiresAt: number): boolean | Promise<boolean>;
};

/** Options of {@link createMemorySiwxStore}. */
export type MemorySiwxStoreOptions = {
  /** Most nonces remembered; the oldest expiring ones are dropped first past it. Default 100 000. */
  maxNonces?: number;
  /** Clock, for tests; default `Date.now`. */
  now?: () => number;
};

/** EVM addresses in one form; others (Base58) are case-sensitive and kept as they are. */
function addressKey(address: string): string {
  return address.startsWith('0x') ? address.toLowerCase() : address;
}

/**
 * A {@link SiwxStore} in this process's memory.
 *
 * @example
 * const store = createMemorySiwxStore()
 * store.recordPayment('/weather', payer)
 */
export function createMemorySiwxStore(options: MemorySiwxStoreOptions = {}): SiwxStore {
  const now = options.now ?? Date.now;
  const maxNonces = options.maxNonces ?? 100_000;
  const paid = new Map<string, Set<string>>();
  const nonces = new Map<string, number>();
  const sweep = () => {
    const at = now();
    for (const [nonce, expiresAt] of nonces) if (expiresAt <= at) nonces.delete(nonce);
    while (nonces.size >= maxNonces) {
      const oldest = nonces.keys().next().value;
      if (oldest === undefined) break;
      nonces.delete(oldest);
    }
  };
  return {
    hasPaid: (resource, address) => paid.get(resource)?.has(addressKey(address)) ?? false,
    recordPayment(resource, address) {
      const payers = paid.get(resource) ?? new Set<string>();
      payers.add(addressKey(address));
      paid.set(resource, payers);
    },
    useNonce(nonce, expiresAt) {
      if (nonces.has(nonce)) return false;
      if (nonces.size >= maxNonces) sweep();
      nonces.set(nonce, expiresAt);
      return true;
    },
  };
}
