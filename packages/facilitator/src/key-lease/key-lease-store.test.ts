/**
 * One contract, two stores: the same suite runs against SQLite (libsql, one file opened by several
 * connections, as several processes on one host would) and PostgreSQL (a fresh schema, dropped afterwards).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshSchemaStores } from '@x402kit/testing/postgres';
import type { KeyLeaseStore, LeaseRequest } from './key-lease-store.js';
import { createPostgresKeyLeaseStore } from './postgres-key-lease-store.js';
import { createSqliteKeyLeaseStore } from './sqlite-key-lease-store.js';

type Backend = {
  name: string;
  /** A new store (a new connection or pool) on the same database each time. */
  open(): Promise<KeyLeaseStore>;
  cleanup(): Promise<void>;
};

let counter = 0;
/** A fresh address per test, so tests never see each other's rows. */
function freshAddress(): string {
  counter++;
  return `0x${counter.toString(16).padStart(40, '0')}`;
}

function storeSuite(backend: () => Backend): void {
  let b: Backend;
  const stores: KeyLeaseStore[] = [];
  const open = async () => {
    const store = await b.open();
    stores.push(store);
    return store;
  };
  before(() => {
    b = backend();
  });
  after(async () => {
    for (const store of stores) await store.close();
    await b.cleanup();
  });

  const request = (address: string, holder: string, staleAfterMs = 10_000): LeaseRequest => ({
    family: 'evm',
    address,
    holder,
    token: `${holder}-token`,
    staleAfterMs,
  });

  it('gives a free key to the first instance and refuses a second one while the first is live', async () => {
    const [a, b2] = [await open(), await open()];
    const address = freshAddress();
    assert.deepEqual(await a.acquire(request(address, 'inst-a')), { acquired: true });
    const refused = await b2.acquire(request(address, 'inst-b'));
    assert.equal(refused.acquired, false);
    assert.ok(!refused.acquired);
    assert.equal(refused.holder, 'inst-a');
    assert.equal(refused.staleAfterMs, 10_000);
    assert.ok(refused.silentForMs >= 0 && refused.silentForMs < 5_000, String(refused.silentForMs));
    assert.ok(refused.freeInMs > 5_000 && refused.freeInMs <= 10_001, String(refused.freeInMs));
    const row = await b2.get({ family: 'evm', address });
    assert.equal(row?.holder, 'inst-a');
    assert.equal(row?.token, 'inst-a-token');
  });

  it('renews only for the holder, and the same process may acquire its own lease again', async () => {
    const [a, other] = [await open(), await open()];
    const address = freshAddress();
    await a.acquire(request(address, 'inst-a'));
    const before = await a.get({ family: 'evm', address });
    await sleep(15);
    assert.equal(await a.renew(request(address, 'inst-a')), true);
    const after = await a.get({ family: 'evm', address });
    assert.ok(before && after && after.heartbeatAt > before.heartbeatAt, 'the heartbeat moved');
    assert.equal(await other.renew(request(address, 'inst-b')), false, 'not the holder');
    assert.deepEqual(await a.acquire(request(address, 'inst-a')), { acquired: true });
  });

  it('frees a key on release by its holder only, for the next instance at once', async () => {
    const [a, b2] = [await open(), await open()];
    const address = freshAddress();
    await a.acquire(request(address, 'inst-a'));
    await b2.release(request(address, 'inst-b'));
    assert.equal(
      (await b2.acquire(request(address, 'inst-b'))).acquired,
      false,
      'another token cannot release it',
    );
    await a.release(request(address, 'inst-a'));
    assert.equal(await a.get({ family: 'evm', address }), undefined);
    assert.deepEqual(await b2.acquire(request(address, 'inst-b')), { acquired: true });
    assert.equal(await a.renew(request(address, 'inst-a')), false, 'the old holder knows it lost it');
  });

  it('lets another instance take over a key whose holder went silent for longer than its bound', async () => {
    const [a, b2] = [await open(), await open()];
    const address = freshAddress();
    await a.acquire(request(address, 'inst-a', 300));
    // the bound that counts is the holder's: the taker's own (10 s) does not delay the takeover
    assert.equal((await b2.acquire(request(address, 'inst-b'))).acquired, false);
    await sleep(400);
    const taken = await b2.acquire(request(address, 'inst-b'));
    assert.ok(taken.acquired);
    assert.equal(taken.previous?.holder, 'inst-a');
    assert.ok((taken.previous?.silentForMs ?? 0) > 300);
    assert.equal(await a.renew(request(address, 'inst-a', 300)), false, 'the silent holder finds out');
    assert.equal((await a.acquire(request(address, 'inst-a', 300))).acquired, false);
  });

  it('keeps families apart: the same key may be leased for EVM and for TRON', async () => {
    const store = await open();
    const address = freshAddress();
    assert.ok((await store.acquire(request(address, 'inst-a'))).acquired);
    assert.ok((await store.acquire({ ...request(address, 'inst-b'), family: 'tron' })).acquired);
    assert.equal((await store.acquire({ ...request(address, 'inst-b'), family: 'evm' })).acquired, false);
  });

  it('gives a key to exactly one of many instances starting at once', async () => {
    const contenders = await Promise.all(Array.from({ length: 4 }, () => open()));
    const address = freshAddress();
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        contenders[i % contenders.length]?.acquire(request(address, `inst-${i}`)),
      ),
    );
    const winners = results.filter((r) => r?.acquired);
    assert.equal(winners.length, 1, JSON.stringify(results));
    const row = await contenders[0]?.get({ family: 'evm', address });
    const loser = results.find((r) => r && !r.acquired);
    assert.ok(
      loser && !loser.acquired && loser.holder === row?.holder,
      'every other one is told who holds it',
    );
  });
}

describe('SQLite key-lease store (one file, several connections)', () => {
  storeSuite(() => {
    const dir = mkdtempSync(join(tmpdir(), 'x402kit-key-lease-'));
    const path = join(dir, 'ledger.db');
    return {
      name: 'sqlite',
      open: () => createSqliteKeyLeaseStore({ path }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
});

describe('PostgreSQL key-lease store (one schema, several pools)', () => {
  storeSuite(() =>
    freshSchemaStores('key_lease', (url, schema) => createPostgresKeyLeaseStore({ url, schema })),
  );
});
