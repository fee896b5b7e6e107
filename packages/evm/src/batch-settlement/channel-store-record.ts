/**
 * A channel as the PostgreSQL row and the Redis hash both hold it: one field per value, under the
 * same names (`charged`, `signed_max`, `total_claimed`, …), amounts as decimal text, the configuration
 * as JSON. Internal to the channel stores.
 */
import type { ServerChannel } from './channel-store.js';
import { parseStoredJson, readStoredChannel } from './channel-store-checks.js';

/**
 * The values a commit writes, in the order the SQL statement and the Lua script take them: id,
 * attempt, config, charged, signed_max, signature, last_request_at, balance, total_claimed,
 * withdraw_requested_at, refund_nonce, onchain_synced_at.
 *
 * @example await pool.query(sql.commit, commitRecordValues(attempt, channel))
 */
export function commitRecordValues(attempt: string, c: ServerChannel): (string | number)[] {
  return [
    c.channelId,
    attempt,
    JSON.stringify(c.config),
    c.chargedCumulativeAmount,
    c.signedMaxClaimable,
    c.signature,
    c.lastRequestAt,
    c.balance,
    c.totalClaimed,
    c.withdrawRequestedAt,
    c.refundNonce,
    c.onchainSyncedAt,
  ];
}

const asNumber = (value: unknown) => (value === null || value === undefined ? value : Number(value));

/**
 * A stored record as a channel (undefined while the channel is only reserved: no `config`), checked.
 *
 * @example const channel = readChannelRecord(id, await client.hgetall(key))
 */
export function readChannelRecord(
  channelId: string,
  record: Record<string, unknown>,
): ServerChannel | undefined {
  if (record.config === null || record.config === undefined) return undefined;
  return readStoredChannel(channelId, {
    channelId,
    config: parseStoredJson(channelId, record.config),
    chargedCumulativeAmount: record.charged,
    signedMaxClaimable: record.signed_max,
    signature: record.signature,
    balance: record.balance,
    totalClaimed: record.total_claimed,
    withdrawRequestedAt: asNumber(record.withdraw_requested_at),
    refundNonce: record.refund_nonce,
    onchainSyncedAt: asNumber(record.onchain_synced_at),
    lastRequestAt: asNumber(record.last_request_at),
  });
}
