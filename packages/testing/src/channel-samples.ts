/**
 * Sample `batch-settlement` channels and reservations for store tests, and one paid request as a
 * server runs it against a store (reserve, waiting while busy; charge; commit).
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelReservation, ChannelStore, ServerChannel } from '@x402kit/evm/batch-settlement';
import { getAddress, type Hex } from 'viem';

const hex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}` as Hex;

/**
 * A fresh channel id and its state: checksummed addresses and lower-case hex, so a store's
 * normalized form equals it.
 *
 * @example const channel = sampleChannel({ chargedCumulativeAmount: '10' })
 */
export function sampleChannel(fields: Partial<ServerChannel> = {}): ServerChannel {
  const channelId = fields.channelId ?? hex(32);
  return {
    channelId,
    config: {
      payer: getAddress(hex(20)),
      payerAuthorizer: getAddress(hex(20)),
      receiver: getAddress(hex(20)),
      receiverAuthorizer: getAddress(hex(20)),
      token: getAddress(hex(20)),
      withdrawDelay: 900,
      salt: hex(32),
    },
    chargedCumulativeAmount: '0',
    signedMaxClaimable: '0',
    signature: hex(65),
    balance: '1000000',
    totalClaimed: '0',
    withdrawRequestedAt: 0,
    refundNonce: '0',
    onchainSyncedAt: Date.now() - 60_000,
    lastRequestAt: 0,
    ...fields,
  };
}

/**
 * A reservation for `attempt` that lives `ms` milliseconds.
 *
 * @example await store.reserve(id, holdFor('a1'))
 */
export function holdFor(attempt: string, ms = 30_000, signedMaxClaimable = '1'): ChannelReservation {
  return { attempt, signedMaxClaimable, signature: hex(65), expiresAt: Date.now() + ms };
}

/**
 * One paid request as the server runs it: reserve the channel (waiting while it is busy), add
 * `amount` to its charge, commit. Answers whether the commit was accepted.
 *
 * @example await chargeOnce(store, channel, 5n, 'req-1')
 */
export async function chargeOnce(
  store: ChannelStore,
  first: ServerChannel,
  amount: bigint,
  attempt: string,
  deadlineMs = 60_000,
): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const held = await store.reserve(first.channelId, holdFor(attempt));
    if (held.status === 'reserved') {
      const now = held.channel ?? first;
      const charged = (BigInt(now.chargedCumulativeAmount) + amount).toString();
      const next = {
        ...now,
        chargedCumulativeAmount: charged,
        signedMaxClaimable: charged,
        lastRequestAt: Date.now(),
      };
      return store.commit(first.channelId, attempt, next);
    }
    if (Date.now() > until) throw new Error(`channel ${first.channelId} stayed busy for ${deadlineMs} ms`);
    await sleep(1 + Math.random() * 4);
  }
}

/**
 * Give `store` a channel (reserve, then commit as attempt `seed`) and answer it.
 *
 * @example const channel = await seedChannel(store, sampleChannel({ totalClaimed: '99' }))
 */
export async function seedChannel(store: ChannelStore, channel = sampleChannel()): Promise<ServerChannel> {
  assert.equal((await store.reserve(channel.channelId, holdFor('seed'))).status, 'reserved');
  assert.equal(await store.commit(channel.channelId, 'seed', channel), true);
  return channel;
}
