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
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerChannel } from '@x402kit/evm/batch-settlement';
import type { Hex } from 'viem';
import { chargeOnce, holdFor } from './channel-samples.js';
import { type ChannelStoreSpec, openChannelStore } from './open-channel-store.js';

/** What one worker does. */
export type ChannelWorkerSpec = {
  name: string;
  store: ChannelStoreSpec;
  /** Created by the parent once every worker printed `ready`. */
  goFile: string;
  raceChannelId: Hex;
  channels: ServerChannel[];
  requests: number;
};

/** The worker's JSON line. */
export type ChannelWorkerReport = { raceReserved: number; charged: Record<string, string>; refused: number };

async function main(spec: ChannelWorkerSpec): Promise<ChannelWorkerReport> {
  const store = openChannelStore(spec.store);
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
