/**
 * How a store combines what it holds with what it is told to write, the same in every store (the
 * SQL and Lua stores spell these rules in their own language):
 * - `commit` writes the request's fields (configuration, charge, voucher, `lastRequestAt`) as given;
 *   the mirrored on-chain fields as given too, unless the store holds a newer mirror (a claim or a
 *   refund recorded while the request held the channel), which is kept; `totalClaimed` never goes down.
 * - `recordOnchain` writes the mirrored fields and stamps `onchainSyncedAt`; `totalClaimed` never goes
 *   down; the request fields (a concurrent request's charge) are left alone.
 * Internal to the stores.
 */
import type { ServerChannel } from './channel-store.js';
import type { OnchainFields } from './channel-store-checks.js';

/**
 * The larger of two canonical decimal strings.
 *
 * @example maxAmount('900', '1000') // '1000'
 */
export function maxAmount(a: string, b: string): string {
  return BigInt(a) >= BigInt(b) ? a : b;
}

/**
 * The channel a commit leaves: `next`, but a newer stored mirror and a higher stored `totalClaimed`
 * kept.
 *
 * @example const written = mergeCommittedChannel(await store.get(id), next)
 */
export function mergeCommittedChannel(stored: ServerChannel | undefined, next: ServerChannel): ServerChannel {
  if (stored === undefined) return next;
  const mirror = stored.onchainSyncedAt > next.onchainSyncedAt ? stored : next;
  return {
    ...next,
    balance: mirror.balance,
    withdrawRequestedAt: mirror.withdrawRequestedAt,
    refundNonce: mirror.refundNonce,
    onchainSyncedAt: mirror.onchainSyncedAt,
    totalClaimed: maxAmount(stored.totalClaimed, next.totalClaimed),
  };
}

/**
 * The channel after mirroring the escrow at `now` (Unix ms).
 *
 * @example const written = mergeOnchain(stored, { balance, totalClaimed, withdrawRequestedAt, refundNonce }, Date.now())
 */
export function mergeOnchain(stored: ServerChannel, onchain: OnchainFields, now: number): ServerChannel {
  return {
    ...stored,
    balance: onchain.balance,
    withdrawRequestedAt: onchain.withdrawRequestedAt,
    refundNonce: onchain.refundNonce,
    onchainSyncedAt: now,
    totalClaimed: maxAmount(stored.totalClaimed, onchain.totalClaimed),
  };
}
