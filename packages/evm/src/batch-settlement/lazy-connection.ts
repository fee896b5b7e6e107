/**
 * A store's connection (a database file, a pool, a client), opened on first use and closed once:
 * an open that fails is tried again by the next call; after `close()` every call is the store's error.
 * Internal to the channel stores.
 */
import { channelStoreError } from './channel-store-checks.js';

/** What {@link lazyConnection} returns. */
export type LazyConnection<T> = {
  /** The open connection (opening it on first use). */
  get(): Promise<T>;
  /** Dispose of the connection if it was opened; later `get` calls fail. */
  close(): Promise<void>;
};

/**
 * Open on first use with `open`, dispose of with `dispose` on close.
 *
 * @example const db = lazyConnection('sqlite', () => openChannelSqlite(path, 5000), (d) => d.close())
 */
export function lazyConnection<T>(
  store: string,
  open: () => Promise<T>,
  dispose: (connection: T) => Promise<void> | void,
): LazyConnection<T> {
  let opening: Promise<T> | undefined;
  let closed = false;
  return {
    get() {
      if (closed) return Promise.reject(channelStoreError(`${store} channel store: closed`));
      opening ??= open().catch((error) => {
        opening = undefined;
        throw error;
      });
      return opening;
    },
    async close() {
      if (closed) return;
      closed = true;
      const connection = await opening?.catch(() => undefined);
      opening = undefined;
      if (connection !== undefined) await dispose(connection);
    },
  };
}
