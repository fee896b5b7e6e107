/**
 * A {@link ChannelStore} in this process's memory: for tests, demos and a single server instance that
 * may lose its channels on restart (the spec's "server state loss": unclaimed charges are forfeited).
 * Every method runs to completion without yielding between its read and its write, so the ordering
 * rule holds between concurrent requests of one process. Inputs are checked and the mirror merged
 * as in the SQL and Redis stores (checked-channel-store.ts, channel-store-merge.ts).
 */
import type { Hex } from 'viem';
import type { ChannelReservation, ChannelStore, ServerChannel } from './channel-store.js';
import { mergeCommittedChannel, mergeOnchain } from './channel-store-merge.js';
import { checkedChannelStore } from './checked-channel-store.js';

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
  const live = (id: Hex): ChannelReservation | undefined => {
    const held = reservations.get(id);
    return held && held.expiresAt > now() ? held : undefined;
  };
  const copy = (channel: ServerChannel | undefined) =>
    channel ? { ...channel, config: { ...channel.config } } : undefined;

  return checkedChannelStore('memory', {
    get: (id) => copy(channels.get(id)),
    reserve(id, next) {
      const held = live(id);
      if (held && held.attempt !== next.attempt) return { status: 'busy', heldUntil: held.expiresAt };
      reservations.set(id, next);
      return { status: 'reserved', channel: copy(channels.get(id)) };
    },
    commit(id, attempt, next) {
      // the holder commits, even past expiresAt while nobody took the channel over
      if (reservations.get(id)?.attempt !== attempt) return false;
      // a claim recorded while the request ran is kept: totalClaimed only grows
      channels.set(id, mergeCommittedChannel(channels.get(id), next));
      reservations.delete(id);
      return true;
    },
    release(id, attempt) {
      if (reservations.get(id)?.attempt === attempt) reservations.delete(id);
    },
    recordOnchain(id, fields) {
      const channel = channels.get(id);
      if (channel) channels.set(id, mergeOnchain(channel, fields, now()));
    },
    delete(id) {
      channels.delete(id);
      reservations.delete(id);
    },
    list: () => [...channels.values()].map((c) => copy(c) as ServerChannel),
    async close() {},
  });
}
