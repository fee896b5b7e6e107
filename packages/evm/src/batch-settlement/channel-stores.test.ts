import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chargeOnce, holdFor, sampleChannel, seedChannel } from '@x402kit/testing/channel-samples';
import { runChannelStoreConformance } from '@x402kit/testing/channel-store-conformance';
import type { ChannelWorkerReport, ChannelWorkerSpec } from '@x402kit/testing/channel-store-worker';
import { type ChannelStoreSpec, openChannelStore } from '@x402kit/testing/open-channel-store';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import { freshKeyPrefix, testRedisUrl } from '@x402kit/testing/redis';
import { spawnScript } from '@x402kit/testing/spawn-cli';
import { Redis } from 'ioredis';
import Database from 'libsql';
import pg from 'pg';
import type { ChannelStore } from './channel-store.js';
import { createMemoryChannelStore } from './memory-channel-store.js';
import { createPostgresChannelStore } from './postgres-channel-store.js';
import { BatchSettlementReasons } from './reasons.js';
import { createRedisChannelStore } from './redis-channel-store.js';
import { createSqliteChannelStore } from './sqlite-channel-store.js';

const dir = mkdtempSync(join(tmpdir(), 'x402kit-channels-'));
const sqlitePath = join(dir, 'channels.db');
const schema = freshSchemaName('bs_channels');
const keyPrefix = freshKeyPrefix('bs-channels');
let pgUrl: string | undefined;
const postgresUrl = async () => (pgUrl ??= await testPostgresUrl());

async function deleteKeys(prefix: string): Promise<void> {
  const client = new Redis(await testRedisUrl());
  try {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}

const isStoreError = (error: unknown) =>
  error instanceof Error &&
  (error as { reason?: string }).reason === BatchSettlementReasons.channelStoreFailed;

after(() => rmSync(dir, { recursive: true, force: true }));

const memory = createMemoryChannelStore();
runChannelStoreConformance('memory', () => memory);
runChannelStoreConformance('sqlite', () => createSqliteChannelStore({ path: sqlitePath }));
runChannelStoreConformance(
  'postgres',
  async () => createPostgresChannelStore({ url: await postgresUrl(), schema }),
  async () => {
    if (pgUrl) await dropSchema(pgUrl, schema);
  },
);
runChannelStoreConformance(
  'redis',
  async () => createRedisChannelStore({ url: await testRedisUrl(), keyPrefix }),
  () => deleteKeys(keyPrefix),
);

describe('sqlite channel store', () => {
  it('keeps its channels in a WAL file that another instance reopens', async () => {
    const path = join(dir, 'reopen', 'channels.db');
    const first = createSqliteChannelStore({ path });
    const channel = await seedChannel(first);
    await first.close();
    await assert.rejects(first.get(channel.channelId), isStoreError, 'a closed store says so');
    const again = createSqliteChannelStore({ path });
    assert.deepEqual(await again.get(channel.channelId), channel);
    await again.close();
    const db = new Database(path);
    assert.match(JSON.stringify(db.pragma('journal_mode')), /"journal_mode":"wal"/);
    db.close();
  });

  it('a row that does not read as a channel is the store’s error', async () => {
    const path = join(dir, 'garbage.db');
    const store = createSqliteChannelStore({ path });
    const channel = await seedChannel(store);
    const db = new Database(path);
    db.prepare('UPDATE batch_settlement_channels SET state = ? WHERE channel_id = ?').run(
      '{"x":',
      channel.channelId,
    );
    await assert.rejects(store.get(channel.channelId), isStoreError);
    db.prepare('UPDATE batch_settlement_channels SET state = ? WHERE channel_id = ?').run(
      '{"x":1}',
      channel.channelId,
    );
    await assert.rejects(store.list(), /stored channel 0x[0-9a-f]{64} is invalid/);
    db.close();
    await store.close();
  });

  it('bad options are refused at once', () => {
    assert.throws(() => createSqliteChannelStore({} as never), isStoreError);
  });
});

describe('postgres channel store', () => {
  it('uses a pool of the caller’s (left open on close) and a table named by schema and table', async () => {
    const pool = new pg.Pool({ connectionString: await postgresUrl(), max: 2 });
    const own = freshSchemaName('bs_own');
    try {
      const store = createPostgresChannelStore({ pool, schema: own, table: 'channels_a' });
      const channel = await seedChannel(store);
      await store.close();
      const { rows } = await pool.query(`SELECT charged FROM "${own}".channels_a WHERE channel_id = $1`, [
        channel.channelId,
      ]);
      assert.deepEqual(rows, [{ charged: channel.chargedCumulativeAmount }]);
      await pool.query(`UPDATE "${own}".channels_a SET config = '{' WHERE channel_id = $1`, [
        channel.channelId,
      ]);
      const reader = createPostgresChannelStore({ pool, schema: own, table: 'channels_a' });
      await assert.rejects(reader.get(channel.channelId), /unreadable configuration/);
      await reader.close();
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${own}" CASCADE`);
      await pool.end();
    }
  });

  it('bad options are refused at once; a server that is down is the store’s error, soon', async () => {
    assert.throws(() => createPostgresChannelStore({}), isStoreError);
    assert.throws(
      () => createPostgresChannelStore({ url: 'postgres://x', schema: 'a"b' }),
      /plain SQL identifier/,
    );
    const down = createPostgresChannelStore({ url: 'postgres://postgres@127.0.0.1:1/test' });
    const started = Date.now();
    await assert.rejects(down.reserve(sampleChannel().channelId, holdFor('a')), isStoreError);
    assert.ok(Date.now() - started < 10_000);
    await down.close();
  });
});

describe('redis channel store', () => {
  it('uses a client of the caller’s (left connected on close); a hash that is not a channel is the store’s error', async () => {
    const client = new Redis(await testRedisUrl());
    const prefix = freshKeyPrefix('bs-own');
    try {
      const store = createRedisChannelStore({ client, keyPrefix: prefix });
      const channel = await seedChannel(store);
      await store.close();
      assert.equal(await client.hget(`${prefix}channel:${channel.channelId}`, 'charged'), '0');
      await client.hset(`${prefix}channel:${channel.channelId}`, 'balance', 'lots');
      const reader = createRedisChannelStore({ client, keyPrefix: prefix });
      await assert.rejects(reader.get(channel.channelId), /balance/);
      await assert.rejects(reader.list(), isStoreError);
    } finally {
      await deleteKeys(prefix);
      client.disconnect();
    }
  });

  it('bad options are refused at once; a server that is down is the store’s error, soon', async () => {
    assert.throws(() => createRedisChannelStore({}), isStoreError);
    const down = createRedisChannelStore({ url: 'redis://127.0.0.1:1' });
    const started = Date.now();
    await assert.rejects(down.get(sampleChannel().channelId), isStoreError);
    assert.ok(Date.now() - started < 10_000);
    await down.close();
  });
});

/** Two worker processes on one store: each runs `requests` paid requests and races for one channel. */
async function twoProcesses(store: ChannelStore, kind: ChannelStoreSpec, requests: number) {
  const channels = await Promise.all(Array.from({ length: 10 }, () => seedChannel(store)));
  const race = await seedChannel(store);
  const goFile = join(dir, `go-${kind.kind}`);
  const workers = ['w1', 'w2'].map((name) => {
    const spec: ChannelWorkerSpec = {
      name,
      store: kind,
      goFile,
      raceChannelId: race.channelId,
      channels,
      requests,
    };
    return spawnScript('packages/testing/src/channel-store-worker.ts', [JSON.stringify(spec)]);
  });
  await Promise.all(workers.map((w) => w.waitForLine(/^ready$/, 60_000)));
  writeFileSync(goFile, '');
  const reports = await Promise.all(
    workers.map(async (w) => {
      const { code } = await w.exited;
      assert.equal(code, 0, w.stderr());
      return JSON.parse(w.stdout().trim().split('\n').at(-1) ?? '') as ChannelWorkerReport;
    }),
  );
  assert.equal(
    reports.reduce((n, r) => n + r.raceReserved, 0),
    1,
    'one reserve won the race across processes',
  );
  assert.deepEqual(
    reports.map((r) => r.refused),
    [0, 0],
  );
  for (const channel of channels) {
    const sum = reports.reduce((n, r) => n + BigInt(r.charged[channel.channelId] ?? '0'), 0n);
    assert.equal((await store.get(channel.channelId))?.chargedCumulativeAmount, sum.toString());
  }
  // the store still serves after the processes are gone
  assert.equal(await chargeOnce(store, channels[0] ?? race, 1n, 'after', 5000), true);
}

/** {@link twoProcesses} with 200 requests each on the store `spec` names, which is closed and cleaned up after. */
async function twoProcessesOn(spec: ChannelStoreSpec, cleanUp?: () => Promise<void>) {
  const store = openChannelStore(spec);
  try {
    await twoProcesses(store, spec, 200);
  } finally {
    await store.close();
    await cleanUp?.();
  }
}

describe('two server processes on one store: every charge kept, no double reserve', () => {
  it('postgres', async () => {
    const url = await postgresUrl();
    const shared = freshSchemaName('bs_procs');
    await twoProcessesOn({ kind: 'postgres', url, schema: shared }, () => dropSchema(url, shared));
  });

  it('sqlite (one file)', () => twoProcessesOn({ kind: 'sqlite', path: join(dir, 'two-processes.db') }));

  it('redis', async () => {
    const url = await testRedisUrl();
    const prefix = freshKeyPrefix('bs-procs');
    await twoProcessesOn({ kind: 'redis', url, keyPrefix: prefix }, () => deleteKeys(prefix));
  });
});
