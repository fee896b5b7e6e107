/**
 * The Redis channel store's layout and Lua scripts. A hash per channel (`<prefix>channel:<id>`): the
 * channel's fields (`config` present once the channel has state) and the live reservation
 * (`attempt`, `reservedMax`, `reservedSignature`, `expiresAt`); a set (`<prefix>channels`) of the
 * ids with state, for `list`. Each script runs atomically on the server, so instances sharing the
 * Redis serve a channel one request at a time. Amounts are canonical decimal strings, compared by
 * length and then by text (Lua numbers are doubles). Internal to the Redis store.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

const GREATER = `local function greater(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
`;
const FREE = `redis.call('HDEL', KEYS[1], 'attempt', 'reserved_max', 'reserved_signature', 'expires_at')`;

/** One Lua script and its SHA-1 (for `EVALSHA`). */
export type RedisScript = { source: string; sha: string };

const script = (source: string): RedisScript => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});

/** The scripts; `KEYS[1]` is the channel's hash. */
export const redisChannelScripts = {
  /** ARGV: attempt, voucher ceiling, signature, expiresAt, now. Answers `{1, fields}` or `{0, heldUntil}`. */
  reserve: script(`local held = redis.call('HMGET', KEYS[1], 'attempt', 'expires_at')
if held[1] and held[1] ~= ARGV[1] and tonumber(held[2]) > tonumber(ARGV[5]) then
  return {0, held[2]}
end
redis.call('HSET', KEYS[1], 'attempt', ARGV[1], 'reserved_max', ARGV[2], 'reserved_signature', ARGV[3], 'expires_at', ARGV[4])
return {1, redis.call('HGETALL', KEYS[1])}`),
  /** KEYS[2] the id set; ARGV: `commitRecordValues` (id, attempt, the fields). 1 when written. */
  commit: script(`${GREATER}
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[2] then return 0 end
local stored = redis.call('HMGET', KEYS[1], 'onchain_synced_at', 'total_claimed')
local fields = {'config', ARGV[3], 'charged', ARGV[4], 'signed_max', ARGV[5], 'signature', ARGV[6], 'last_request_at', ARGV[7]}
if not stored[1] or tonumber(stored[1]) <= tonumber(ARGV[12]) then
  for _, v in ipairs({'balance', ARGV[8], 'withdraw_requested_at', ARGV[10], 'refund_nonce', ARGV[11], 'onchain_synced_at', ARGV[12]}) do
    table.insert(fields, v)
  end
end
local claimed = ARGV[9]
if stored[2] and greater(stored[2], claimed) then claimed = stored[2] end
table.insert(fields, 'total_claimed')
table.insert(fields, claimed)
redis.call('HSET', KEYS[1], unpack(fields))
${FREE}
redis.call('SADD', KEYS[2], ARGV[1])
return 1`),
  /** ARGV: attempt. A hash left empty (only reserved) is gone with its last field. */
  release: script(`if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return 0 end
${FREE}
return 1`),
  /** ARGV: balance, totalClaimed, withdrawRequestedAt, refundNonce, now. Channels without state are left alone. */
  recordOnchain: script(`${GREATER}
if redis.call('HEXISTS', KEYS[1], 'config') == 0 then return 0 end
local claimed = ARGV[2]
local stored = redis.call('HGET', KEYS[1], 'total_claimed')
if stored and greater(stored, claimed) then claimed = stored end
redis.call('HSET', KEYS[1], 'balance', ARGV[1], 'total_claimed', claimed, 'withdraw_requested_at', ARGV[3], 'refund_nonce', ARGV[4], 'onchain_synced_at', ARGV[5])
return 1`),
};

/**
 * Run a script by its SHA-1, sending its source when the server does not know it yet.
 *
 * @example await runScript(client, redisChannelScripts.release, [key], [attempt])
 */
export async function runScript(
  client: Redis,
  { source, sha }: RedisScript,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(source, keys.length, ...keys, ...args);
  }
}

/**
 * The flat `[field, value, …]` list `HGETALL` answers inside a script, as an object.
 *
 * @example pairsToHash(['config', '{…}', 'charged', '10']) // { config: '{…}', charged: '10' }
 */
export function pairsToHash(pairs: unknown): Record<string, string> {
  const hash: Record<string, string> = {};
  if (!Array.isArray(pairs)) return hash;
  for (let i = 0; i + 1 < pairs.length; i += 2) hash[String(pairs[i])] = String(pairs[i + 1]);
  return hash;
}
