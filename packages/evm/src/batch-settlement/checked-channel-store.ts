/**
 * The part every channel store shares: read the inputs with the runtime schemas of
 * channel-store-checks.ts, then run the backend's operation under {@link storeCall}, so that a bad
 * input and a failing backend are the same `X402Error` in the memory, SQLite, PostgreSQL and Redis
 * stores. A store only writes its {@link ChannelBackend}. Internal to the stores.
 */
import type { Hex } from 'viem';
import type { ChannelReservation, ChannelStore, ReserveResult, ServerChannel } from './channel-store.js';
import {
  checkAttempt,
  checkChannel,
  checkChannelId,
  checkOnchain,
  checkReservation,
  type OnchainFields,
  storeCall,
} from './channel-store-checks.js';

type Maybe<T> = Promise<T> | T;

/**
 * A store's operations on inputs already checked: ids in lower-case hex, amounts canonical, and the
 * channel's own id the one written.
 */
export type ChannelBackend = {
  get(id: Hex): Maybe<ServerChannel | undefined>;
  reserve(id: Hex, held: ChannelReservation): Maybe<ReserveResult>;
  commit(id: Hex, attempt: string, next: ServerChannel): Maybe<boolean>;
  release(id: Hex, attempt: string): Maybe<unknown>;
  recordOnchain(id: Hex, fields: OnchainFields): Maybe<unknown>;
  delete(id: Hex): Maybe<unknown>;
  list(): Maybe<ServerChannel[]>;
  close(): Promise<void>;
};

/**
 * The {@link ChannelStore} over `backend`, its errors named after `store`.
 *
 * @example return checkedChannelStore('redis', { get: (id) => read(id), ... })
 */
export function checkedChannelStore(store: string, backend: ChannelBackend): ChannelStore {
  const call = <T>(operation: string, run: () => Maybe<T>) => storeCall(store, operation, run);
  return {
    get: (channelId) => call('get', () => backend.get(checkChannelId(channelId))),
    reserve: (channelId, reservation) =>
      call('reserve', () => backend.reserve(checkChannelId(channelId), checkReservation(reservation))),
    commit: (channelId, attempt, channel) =>
      call('commit', () => {
        const id = checkChannelId(channelId);
        return backend.commit(id, checkAttempt(attempt), checkChannel(id, channel));
      }),
    release: async (channelId, attempt) => {
      await call('release', () => backend.release(checkChannelId(channelId), checkAttempt(attempt)));
    },
    recordOnchain: async (channelId, onchain) => {
      await call('recordOnchain', () =>
        backend.recordOnchain(checkChannelId(channelId), checkOnchain(onchain)),
      );
    },
    delete: async (channelId) => {
      await call('delete', () => backend.delete(checkChannelId(channelId)));
    },
    list: () => call('list', () => backend.list()),
    close: () => backend.close(),
  };
}
