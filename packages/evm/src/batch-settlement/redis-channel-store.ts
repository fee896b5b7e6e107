/**
 * The `batch-settlement` channel store for several server instances on Redis: `reserve`, `commit`,
 * `release` and `recordOnchain` are Lua scripts (one atomic step each on the server), so instances
 * sharing the Redis serve a channel one request at a time. `ioredis` is an optional peer dependency:
 * pass your own client, or a `url` and the store loads `ioredis` on first use.
 */
import type { Redis } from 'ioredis';
import type { ChannelStore } from './channel-store.js';
import { channelStoreError } from './channel-store-checks.js';
import { commitRecordValues, readChannelRecord } from './channel-store-record.js';
import { checkedChannelStore } from './checked-channel-store.js';
import { lazyConnection, loadOptionalDriver, requireConnectionOrUrl } from './lazy-connection.js';
import {
  pairsToHash,
  type RedisScript,
  runScript,
  redisChannelScripts as scripts,
} from './redis-channel-scripts.js';

/** Options of {@link createRedisChannelStore}: a `client` of yours, or a `url`. */
export type RedisChannelStoreOptions = {
  /** An ioredis client you created (and quit yourself; `close()` leaves it connected). */
  client?: Redis;
  /** A `redis://` URL; the store opens (and `close()` quits) a client of its own. */
  url?: string;
  /**
   * Prepended to every key; default `x402kit:batch-settlement:`. On Redis Cluster give it a hash tag
   * (`'{x402-channels}:'`): a commit touches the channel's hash and the id set, which must share a slot.
   */
  keyPrefix?: string;
  /** The clock (Unix ms) reservations lapse by and mirrors are stamped with; `Date.now` by default. */
  now?: () => number;
};

/**
 * A channel store in Redis: a hash per channel and a set of channel ids under `keyPrefix`. Every
 * server instance that uses the same Redis and prefix shares the channels.
 *
 * @example
 * import { Redis } from 'ioredis'
 * import { createRedisChannelStore } from '@x402kit/evm/batch-settlement/redis'
 *
 * const channels = createRedisChannelStore({ client: new Redis(process.env.REDIS_URL) })
 * const held = await channels.reserve(channelId, { attempt, signedMaxClaimable, signature, expiresAt })
 */
export function createRedisChannelStore(options: RedisChannelStoreOptions): ChannelStore {
  requireConnectionOrUrl(
    options?.client,
    options?.url,
    'redis channel store: pass an ioredis client (client) or a redis:// URL (url)',
  );
  const prefix = options.keyPrefix ?? 'x402kit:batch-settlement:';
  if (typeof prefix !== 'string') throw channelStoreError('redis channel store: keyPrefix must be a string');
  const key = (id: string) => `${prefix}channel:${id}`;
  const index = `${prefix}channels`;
  const now = options.now ?? Date.now;
  const given = options.client;
  const connection = lazyConnection(
    'redis',
    () => (given ? Promise.resolve(given) : ownClient(options.url ?? '')),
    async (client) => {
      if (client !== given) await client.quit().catch(() => client.disconnect());
    },
  );
  const run = async (script: RedisScript, keys: string[], args: (string | number)[]) =>
    runScript(await connection.get(), script, keys, args);

  return checkedChannelStore('redis', {
    get: async (id) => readChannelRecord(id, await (await connection.get()).hgetall(key(id))),
    async reserve(id, held) {
      const args = [held.attempt, held.signedMaxClaimable, held.signature, held.expiresAt, now()];
      const [taken, data] = (await run(scripts.reserve, [key(id)], args)) as [number, unknown];
      if (taken === 1) return { status: 'reserved', channel: readChannelRecord(id, pairsToHash(data)) };
      return { status: 'busy', heldUntil: Number(data) };
    },
    commit: async (id, attempt, next) =>
      (await run(scripts.commit, [key(id), index], commitRecordValues(attempt, next))) === 1,
    release: (id, attempt) => run(scripts.release, [key(id)], [attempt]),
    recordOnchain: (id, o) =>
      run(
        scripts.recordOnchain,
        [key(id)],
        [o.balance, o.totalClaimed, o.withdrawRequestedAt, o.refundNonce, now()],
      ),
    delete: async (id) => (await connection.get()).multi().del(key(id)).srem(index, id).exec(),
    async list() {
      const c = await connection.get();
      const ids = (await c.smembers(index)).sort();
      const pipeline = c.pipeline();
      for (const id of ids) pipeline.hgetall(key(id));
      const answers = (await pipeline.exec()) ?? [];
      return ids.flatMap((id, i) => {
        const [error, hash] = answers[i] ?? [null, {}];
        if (error) throw error;
        return readChannelRecord(id, hash as Record<string, string>) ?? [];
      });
    },
    close: () => connection.close(),
  });
}

async function ownClient(url: string): Promise<Redis> {
  const Driver = await loadOptionalDriver('redis', 'ioredis', async () => (await import('ioredis')).Redis);
  const client = new Driver(url, { maxRetriesPerRequest: 2, connectTimeout: 5000 });
  // a lost connection is reported by the next command, not as an unhandled 'error' event
  client.on('error', () => {});
  return client;
}
