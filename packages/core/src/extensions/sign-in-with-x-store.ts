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
  /**
   * Use a nonce: true the first time (remember it until `expiresAt`, epoch ms: the last moment its
   * proof could pass), false after. A store that may have forgotten a nonce before its `expiresAt`
   * (a capped memory) must answer false for it: a forgotten nonce must never become usable again.
   */
  useNonce(nonce: string, expiresAt: number): boolean | Promise<boolean>;
};

/** Options of {@link createMemorySiwxStore}. */
export type MemorySiwxStoreOptions = {
  /**
   * Most nonces remembered; default 100 000. Past it the one expiring first is forgotten, and from
   * then on a nonce expiring no later than it is refused (it might be that one, used again): a
   * flood makes old proofs sign in again from a fresh challenge, never replayable.
   */
  maxNonces?: number;
  /** Clock, for tests; default `Date.now`. */
  now?: () => number;
};

/** EVM addresses in one form; others (Base58) are case-sensitive and kept as they are. */
function addressKey(address: string): string {
  return address.startsWith('0x') ? address.toLowerCase() : address;
}

/**
 * A {@link SiwxStore} in this process's memory. Used nonces are kept until they expire; past
 * `maxNonces`, the one expiring first is forgotten and every nonce expiring no later than it is
 * refused from then on, so no used nonce ever passes again.
 *
 * @example
 * const store = createMemorySiwxStore()
 * store.recordPayment('/weather', payer)
 */
export function createMemorySiwxStore(options: MemorySiwxStoreOptions = {}): SiwxStore {
  const now = options.now ?? Date.now;
  const maxNonces = options.maxNonces ?? 100_000;
  const paid = new Map<string, Set<string>>();
  const nonces = new Set<string>();
  const byExpiry = createExpiryHeap();
  // the latest expiry of a nonce forgotten before it expired: a nonce expiring no later may be it
  let forgottenUntil = Number.NEGATIVE_INFINITY;
  return {
    hasPaid: (resource, address) => paid.get(resource)?.has(addressKey(address)) ?? false,
    recordPayment(resource, address) {
      const payers = paid.get(resource) ?? new Set<string>();
      payers.add(addressKey(address));
      paid.set(resource, payers);
    },
    useNonce(nonce, expiresAt) {
      if (nonces.has(nonce)) return false;
      const at = now();
      // expired nonces go: their proofs can no longer pass, and one that claims to is refused below
      for (let first = byExpiry.peek(); first && first.expiresAt <= at; first = byExpiry.peek())
        nonces.delete(byExpiry.pop()?.nonce ?? '');
      if (expiresAt <= at || expiresAt <= forgottenUntil) return false;
      nonces.add(nonce);
      byExpiry.push({ expiresAt, nonce });
      while (nonces.size > maxNonces) {
        const forgotten = byExpiry.pop();
        if (!forgotten) break;
        nonces.delete(forgotten.nonce);
        forgottenUntil = Math.max(forgottenUntil, forgotten.expiresAt);
      }
      return true;
    },
  };
}

type Entry = { expiresAt: number; nonce: string };

/** A binary min-heap of nonces by expiry. */
function createExpiryHeap() {
  const items: Entry[] = [];
  const less = (i: number, j: number) => (items[i]?.expiresAt ?? 0) < (items[j]?.expiresAt ?? 0);
  const swap = (i: number, j: number) => {
    const item = items[i] as Entry;
    items[i] = items[j] as Entry;
    items[j] = item;
  };
  return {
    peek: (): Entry | undefined => items[0],
    push(entry: Entry): void {
      items.push(entry);
      for (let i = items.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!less(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    },
    pop(): Entry | undefined {
      const top = items[0];
      const last = items.pop();
      if (items.length === 0 || last === undefined) return top;
      items[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && less(left, smallest)) smallest = left;
        if (right < items.length && less(right, smallest)) smallest = right;
        if (smallest === i) break;
        swap(i, smallest);
        i = smallest;
      }
      return top;
    },
  };
}
