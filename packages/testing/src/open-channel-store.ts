/**
 * A `batch-settlement` channel store opened from a JSON-able spec, so that a test and the worker
 * processes it spawns open the same shared PostgreSQL, Redis or SQLite store the same way.
 */
import type { ChannelStore } from '@x402kit/evm/batch-settlement';
import { createPostgresChannelStore } from '@x402kit/evm/batch-settlement/postgres';
import { createRedisChannelStore } from '@x402kit/evm/batch-settlement/redis';
import { createSqliteChannelStore } from '@x402kit/evm/batch-settlement/sqlite';

/** Where a shared channel store lives. */
export type ChannelStoreSpec =
  | { kind: 'postgres'; url: string; schema: string }
  | { kind: 'redis'; url: string; keyPrefix: string }
  | { kind: 'sqlite'; path: string };

/**
 * Open the store `spec` names (the caller closes it).
 *
 * @example const store = openChannelStore({ kind: 'sqlite', path: join(dir, 'channels.db') })
 */
export function openChannelStore(spec: ChannelStoreSpec): ChannelStore {
  if (spec.kind === 'sqlite') return createSqliteChannelStore({ path: spec.path });
  return spec.kind === 'postgres'
    ? createPostgresChannelStore({ url: spec.url, schema: spec.schema })
    : createRedisChannelStore({ url: spec.url, keyPrefix: spec.keyPrefix });
}
