/**
 * A {@link ChannelStore} in this process's memory: for tests, demos and a single server instance that
 * may lose its channels on restart (the spec's "server state loss": unclaimed charges are forfeited).
 * Every method runs to completion without yielding between its read and its write, so the ordering
 * rule holds between concurrent requests of one process.
 */
import type { Hex } from 'viem';
import type { ChannelReservation, ChannelStore, ServerChannel } from './channel-store.js';

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
  const key = (channelId: Hex) => channelId.toLowerCase() as Hex;
  const live = (id: Hex): ChannelReservation | undefined => {
    const held = reservations.get(id);
    return held && held.expiresAt > now() ? held : undefined;
  };
  const copy = (channel: ServerChannel | undefined) =>
    channel ? { ...channel, config: { ...channel.config } } : undefined;

  return {
    async get(channelId) {
      return copy(channels.get(key(channelId)));
    },
    async reserve(channelId, reservation) {
      const id = key(channelId);
      const held = live(id);
      if (held && held.attempt !== reservation.attempt) return { status: 'busy', heldUntil: held.expiresAt };
      reservations.set(id, { ...reservation });
      return { status: 'reserved', channel: copy(channels.get(id)) };
    },
    async commit(channelId, attempt, channel) {
      const id = key(channelId);
      if (live(id)?.attempt !== attempt) return false;
      const before = channels.get(id);
      // a claim recorded while the request ran is kept: totalClaimed only grows
      const totalClaimed =
        before && BigInt(before.totalClaimed) > BigInt(channel.totalClaimed)
          ? before.totalClaimed
          : channel.totalClaimed;
      channels.set(id, { ...channel, channelId: id, config: { ...channel.config }, totalClaimed });
      reservations.delete(id);
      return true;
    },
    async release(channelId, attempt) {
      const id = key(channelId);
      if (reservations.get(id)?.attempt === attempt) reservations.delete(id);
    },
    async recordOnchain(channelId, onchain) {
      const id = key(channelId);
      const channel = channels.get(id);
      if (!channel) return;
      const totalClaimed =
        BigInt(onchain.totalClaimed) > BigInt(channel.totalClaimed)
          ? onchain.totalClaimed
          : channel.totalClaimed;
      channels.set(id, { ...channel, ...onchain, totalClaimed });
    },
    async delete(channelId) {
      const id = key(channelId);
      channels.delete(id);
      reservations.delete(id);
    },
    async list() {
      return [...channels.values()].map((c) => copy(c) as ServerChannel);
    },
    async close() {},
  };
}
