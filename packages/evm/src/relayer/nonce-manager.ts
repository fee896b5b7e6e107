/**
 * Local transaction nonces for one sending key. The chain is asked once (`pending` count); later
 * sends count up locally, so concurrent settles from one key never collide ("nonce too low").
 */

export type NonceManagerOptions = {
  /** Reads the key's `pending` transaction count from the chain (first use and after a reset). */
  readPendingNonce: () => Promise<number>;
};

/** What `createNonceManager` returns. */
export type NonceManager = {
  /**
   * Run `send` with the next nonce, holding the key's lock until `send` settles (sign and
   * broadcast only; never a receipt wait). When `send` throws, the counter is reset so the next
   * call re-reads the chain, and the error is rethrown.
   */
  withNextNonce<T>(send: (nonce: number) => Promise<T>): Promise<T>;
  /** Forget the local counter; the next send re-reads `pending` from the chain. */
  reset(): void;
  /** The nonce the next send would use, if known locally. */
  peek(): number | undefined;
};

/**
 * Create a nonce manager for one key.
 *
 * @example
 * const nonces = createNonceManager({ readPendingNonce: () => client.getTransactionCount({ address, blockTag: 'pending' }) })
 * const hash = await nonces.withNextNonce(async (nonce) => broadcast(await sign({ ...tx, nonce })))
 */
export function createNonceManager(options: NonceManagerOptions): NonceManager {
  let next: number | undefined;
  let generation = 0;
  const lock = createMutex();

  return {
    withNextNonce(send) {
      return lock.run(async () => {
        const startedIn = generation;
        if (next === undefined) next = await options.readPendingNonce();
        const nonce = next;
        try {
          const result = await send(nonce);
          // a reset while we were broadcasting means the count is unknown again: leave it unset
          if (generation === startedIn) next = nonce + 1;
          return result;
        } catch (error) {
          next = undefined;
          generation += 1;
          throw error;
        }
      });
    },
    reset() {
      next = undefined;
      generation += 1;
    },
    peek() {
      return next;
    },
  };
}

type Mutex = { run<T>(task: () => Promise<T>): Promise<T> };

/** A FIFO async mutex: tasks run one at a time in call order. */
function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(task) {
      const result = tail.then(task);
      tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
  };
}
