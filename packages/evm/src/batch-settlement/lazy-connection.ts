/**
 * A store's connection (a database file, a pool, a client), opened on first use and closed once:
 * an open that fails is tried again by the next call; after `close()` every call is the store's error.
 * With it, what the stores check and load before they connect: the caller's connection or a URL, and
 * the optional driver package. Internal to the channel stores.
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

/**
 * Checks that a store was given the caller's connection (`given`) or a non-empty `url` to open one
 * of its own; else the store's error with `refusal`.
 *
 * @example requireConnectionOrUrl(options?.pool, options?.url, 'postgres channel store: pass a pg pool (pool) or a connection string (url)')
 */
export function requireConnectionOrUrl(given: unknown, url: unknown, refusal: string): void {
  if (given === undefined && (typeof url !== 'string' || url === '')) throw channelStoreError(refusal);
}

/**
 * The driver a store loads on first use (an optional peer dependency), or the store's error saying
 * how to install it.
 *
 * @example const driver = await loadOptionalDriver('postgres', 'pg', async () => (await import('pg')).default)
 */
export async function loadOptionalDriver<T>(
  store: string,
  packageName: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw channelStoreError(
      `${store} channel store: the optional dependency "${packageName}" is not installed (npm install ${packageName})`,
      error,
    );
  }
}
