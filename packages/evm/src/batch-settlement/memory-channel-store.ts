/**
 * A {@link ChannelStore} in this process's memory: for tests, demos and a single server instance that
 * may lose its channels on restart (the spec's "server state loss": unclaimed charges are forfeited).
 * Every method runs to completion without yielding between its read and its write, so the ordering
 * rule holds between concurrent requests of one process. Inputs are checked and the mirror merged
 * as in the SQL and Redis stores (channel-store-checks.ts, channel-store-merge.ts).
 */
import type { Hex } from 'viem';
import type { ChannelReservation, ChannelStore, ServerChannel } from './channel-store.js';
import {
  checkAttempt,
  checkChannel,
  checkChannelId,
  checkOnchain,
  checkReservation,
  storeCall,
} from './channel-store-checks.js';
import { mergeCommittedChannel, mergeOnchain } from './channel-store-merge.js';

/** Options of {@link createMemoryChannelStore}. */
export type MemoryChannelStoreOptions = {
  /** The clock that decides whether a reservation has lapsed (Unix ms); `Date.now` by default. */
  now?: () => number;
};

/**
 * Create a channel store held in memory.
 *
 * @example
 * const store = createMemoryChannelStore()
 * const server = createBatchSettlementEvmServer({ store, receiverAuthorizer: account })
 */
export function createMemoryChannelStore(options: MemoryChannelStoreOptions = {}): ChannelStore {
  const now = options.now ?? Date.now;
  const channels = new Map<Hex, ServerChannel>();
  const reservations = new Map<Hex, ChannelReservation>();
  const key = checkChannelId;
  const live = (id: Hex): ChannelReservation | undefined => {
    const held = reservations.get(id);
    return held && held.expiresAt > now() ? held : undefined;
  };
  const copy = (channel: ServerChannel | undefined) =>
    channel ? { ...channel, config: { ...channel.config } } : undefined;

  const call = <T>(operation: string, run: () => T) => storeCall('memory', operation, run);

  return {
    get: (channelId) => call('get', () => copy(channels.get(key(channelId)))),
    reserve: (channelId, reservation) =>
      call('reserve', () => {
        const id = key(channelId);
        const next = checkReservation(reservation);
        const held = live(id);
        if (held && held.attempt !== next.attempt) return { status: 'busy', heldUntil: held.expiresAt };
        reservations.set(id, next);
        return { status: 'reserved', channel: copy(channels.get(id)) };
      }),
    commit: (channelId, attempt, channel) =>
      call('commit', () => {
        const id = key(channelId);
        const next = checkChannel(id, channel);
        // the holder commits, even past expiresAt while nobody took the channel over
        if (reservations.get(id)?.attempt !== checkAttempt(attempt)) return false;
        // a claim recorded while the request ran is kept: totalClaimed only grows
        channels.set(id, mergeCommittedChannel(channels.get(id), next));
        reservations.delete(id);
        return true;
      }),
    release: (channelId, attempt) =>
      call('release', () => {
        const id = key(channelId);
        if (reservations.get(id)?.attempt === checkAttempt(attempt)) reservations.delete(id);
      }),
    recordOnchain: (channelId, onchain) =>
      call('recordOnchain', () => {
        const id = key(channelId);
        const fields = checkOnchain(onchain);
        const channel = channels.get(id);
        if (channel) channels.set(id, mergeOnchain(channel, fields, now()));
      }),
    delete: (channelId) =>
      call('delete', () => {
        const id = key(channelId);
        channels.delete(id);
        reservations.delete(id);
      }),
    list: () => call('list', () => [...channels.values()].map((c) => copy(c) as ServerChannel)),
    async close() {},
  };
}
