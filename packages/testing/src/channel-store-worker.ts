/**
 * A server process's share of the two-process channel store test, run with `spawnScript`: it
 * opens the shared PostgreSQL, Redis or SQLite store, prints `ready`, waits for the go file, races
 * for one channel (25 concurrent reserves), then runs its paid requests over the channels, 10 at a
 * time, and prints one JSON line: how many race reserves it won, what it charged per channel, how
 * many commits were refused.
 *
 * Argument: the JSON of a {@link ChannelWorkerSpec}.
 */
import { existsSync } from 'node:fs';
import type { ChannelStore, ServerChannel } from '@x402kit/evm/batch-settlement';
import { createPostgresChannelStore } from '@x402kit/evm/batch-settlement/postgres';
import { createRedisChannelStore } from '@x402kit/evm/batch-settlement/redis';
import { createSqliteChannelStore } from '@x402kit/evm/batch-settlement/sqlite';
import type { Hex } from 'viem';
import { chargeOnce, holdFor } from './channel-samples.js';

/** What one worker does. */
export type ChannelWorkerSpec = {
  name: string;
  store:
    | { kind: 'postgres'; url: string; schema: string }
    | { kind: 'redis'; url: string; keyPrefix: string }
    | { kind: 'sqlite'; path: string };
  /** Created by the parent once every worker printed `ready`. */
  goFile: string;
  raceChannelId: Hex;
  channels: ServerChannel[];
  requests: number;
};

/** The worker's JSON line. */
export type ChannelWorkerReport = { raceReserved: number; charged: Record<string, string>; refused: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function open(spec: ChannelWorkerSpec): ChannelStore {
  const s = spec.store;
  if (s.kind === 'sqlite') return createSqliteChannelStore({ path: s.path });
  return s.kind === 'postgres'
    ? createPostgresChannelStore({ url: s.url, schema: s.schema })
    : createRedisChannelStore({ url: s.url, keyPrefix: s.keyPrefix });
}

async function main(spec: ChannelWorkerSpec): Promise<ChannelWorkerReport> {
  const store = open(spec);
  await store.list();
  console.log('ready');
  while (!existsSync(spec.goFile)) await sleep(2);
  const race = await Promise.all(
    Array.from({ length: 25 }, (_, i) =>
      store.reserve(spec.raceChannelId, holdFor(`${spec.name}-race-${i}`)),
    ),
  );
  const charged = new Map<string, bigint>();
  let refused = 0;
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < spec.requests; i = next++) {
      const channel = spec.channels[i % spec.channels.length] as ServerChannel;
      const amount = BigInt(1 + Math.floor(Math.random() * 1000));
      if (await chargeOnce(store, channel, amount, `${spec.name}-${i}`)) {
        charged.set(channel.channelId, (charged.get(channel.channelId) ?? 0n) + amount);
      } else refused++;
    }
  };
  await Promise.all(Array.from({ length: 10 }, lane));
  await store.close();
  return {
    raceReserved: race.filter((r) => r.status === 'reserved').length,
    charged: Object.fromEntries([...charged].map(([id, sum]) => [id, sum.toString()])),
    refused,
  };
}

main(JSON.parse(process.argv[2] ?? '{}') as ChannelWorkerSpec).then(
  (report) => console.log(JSON.stringify(report)),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
