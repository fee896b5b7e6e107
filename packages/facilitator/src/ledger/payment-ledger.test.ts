/**
 * One contract, two stores: the same suite runs against SQLite (libsql, a file in a temp dir)
 * and PostgreSQL (a fresh schema, dropped afterwards).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PaymentKey, SettleResponse } from '@x402kit/core';
import { dropSchema, freshSchemaName, freshSchemaStores, testPostgresUrl } from '@x402kit/testing/postgres';
import { z } from 'zod';
import type { PaymentLedger } from './payment-ledger.js';
import { createPostgresLedger } from './postgres-ledger.js';
import { createSqliteLedger } from './sqlite-ledger.js';

type Store = {
  name: string;
  /** Opens a ledger on the same database each time (to test migrations and cross-connection claims). */
  open(): Promise<PaymentLedger>;
  cleanup(): Promise<void>;
};

let counter = 0;
function key(overrides: Partial<PaymentKey> = {}): PaymentKey {
  counter++;
  return {
    network: 'eip155:84532',
    asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    payer: '0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    nonce: `0x${counter.toString(16).padStart(64, 'A')}`,
    ...overrides,
  };
}

const TX = `0x${'AB'.repeat(32)}`;
const settled = (transaction = TX): SettleResponse => ({
  success: true,
  transaction,
  network: 'eip155:84532',
  payer: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
});

function ledgerSuite(store: () => Store): void {
  let s: Store;
  let ledger: PaymentLedger;
  before(async () => {
    s = store();
    ledger = await s.open();
  });
  after(async () => {
    await ledger?.close();
    await s?.cleanup();
  });

  it('opens in well under a second and applies migrations idempotently', async () => {
    const started = performance.now();
    const again = await s.open();
    const third = await s.open();
    assert.ok(performance.now() - started < 1000, `two opens took ${performance.now() - started} ms`);
    const k = key();
    assert.equal((await again.claim(k, { payloadHash: 'h', owner: 'a' })).claimed, true);
    assert.equal((await third.claim(k, { payloadHash: 'h', owner: 'b' })).claimed, false);
    await again.close();
    await third.close();
  });

  it('lets exactly one of 50 concurrent claims of a key win, across connections', async () => {
    const k = key();
    const other = await s.open();
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? other : ledger).claim(k, { payloadHash: 'hash-1', owner: `owner-${i}` }),
        ),
      );
      const winners = results.filter((r) => r.claimed);
      assert.equal(winners.length, 1);
      const winner = winners[0]?.record.owner;
      for (const r of results) {
        assert.equal(r.record.owner, winner);
        assert.equal(r.record.state, 'claimed');
        assert.equal(r.record.payloadHash, 'hash-1');
      }
    } finally {
      await other.close();
    }
  });

  it('normalizes keys: the same payment in other letter case is the same record', async () => {
    const k = key();
    await ledger.claim(k, { payloadHash: 'h', owner: 'a' });
    const shouted = {
      ...k,
      payer: k.payer.toUpperCase().replace('0X', '0x'),
      nonce: k.nonce.toUpperCase().replace('0X', '0x'),
    };
    const second = await ledger.claim(shouted, { payloadHash: 'h', owner: 'b' });
    assert.equal(second.claimed, false);
    assert.equal(second.record.key.payer, k.payer.toLowerCase());
    assert.equal(second.record.key.nonce, k.nonce.toLowerCase());
    assert.equal(second.record.key.asset, k.asset.toLowerCase());
  });

  it('records a broadcast only for the owner of the claim', async () => {
    const k = key();
    await ledger.claim(k, { payloadHash: 'h', owner: 'a' });
    assert.equal(await ledger.recordBroadcast(k, 'b', TX), false);
    assert.equal(await ledger.recordBroadcast(k, 'a', TX), true);
    const record = await ledger.get(k);
    assert.equal(record?.state, 'broadcast');
    assert.equal(record?.transaction, TX.toLowerCase());
    assert.equal(await ledger.release(k, 'a'), false, 'a broadcast claim is never released');
  });

  it('keeps the newest hash when a stuck transaction is replaced, and never after completion', async () => {
    const k = key();
    const replacement = `0x${'d1'.repeat(32)}`;
    await ledger.claim(k, { payloadHash: 'h', owner: 'a' });
    assert.equal(await ledger.recordBroadcast(k, 'a', TX), true);
    assert.equal(await ledger.recordBroadcast(k, 'b', replacement), false, 'another owner cannot replace');
    assert.equal(await ledger.recordBroadcast(k, 'a', replacement), true);
    assert.equal((await ledger.get(k))?.transaction, replacement);
    await ledger.complete(k, 'settled', { ...settled(), transaction: replacement });
    assert.equal(await ledger.recordBroadcast(k, 'a', TX), false, 'a settled record keeps its transaction');
    assert.equal((await ledger.get(k))?.transaction, replacement);
  });

  it('completes a settlement, keeps its outcome, and never changes a settled record', async () => {
    const k = key();
    await ledger.claim(k, { payloadHash: 'h', owner: 'a' });
    const done = await ledger.complete(k, 'settled', settled());
    assert.equal(done?.state, 'settled');
    assert.deepEqual(done?.outcome, settled());
    assert.equal(done?.transaction, TX.toLowerCase());
    const after = await ledger.complete(k, 'failed', {
      success: false,
      errorReason: 'x',
      transaction: '',
      network: 'n',
    });
    assert.equal(after?.state, 'settled');
    assert.deepEqual(after?.outcome, settled());
    assert.deepEqual(await ledger.findByTransaction(TX), after);
    assert.equal(await ledger.findByTransaction(`0x${'cd'.repeat(32)}`), undefined);
  });

  it('keeps the hash of a pending settlement and lets it be completed later', async () => {
    const k = key();
    const tx = `0x${'ef'.repeat(32)}`;
    await ledger.claim(k, { payloadHash: 'h', owner: 'a' });
    const pending: SettleResponse = {
      success: false,
      errorReason: 'settlement_pending',
      transaction: tx,
      network: 'eip155:84532',
    };
    assert.equal((await ledger.complete(k, 'pending', pending))?.state, 'pending');
    assert.equal((await ledger.findByTransaction(tx))?.state, 'pending');
    assert.equal((await ledger.complete(k, 'settled', settled(tx)))?.state, 'settled');
  });

  it('refuses one transaction as the settlement of two payments', async () => {
    const [a, b] = [key(), key()];
    const tx = `0x${'12'.repeat(32)}`;
    await ledger.claim(a, { payloadHash: 'h', owner: 'o' });
    await ledger.claim(b, { payloadHash: 'h', owner: 'o' });
    await ledger.complete(a, 'settled', settled(tx));
    await assert.rejects(ledger.complete(b, 'settled', settled(tx)));
  });

  it('releases a claim that sent nothing, so the payment can be claimed again', async () => {
    const k = key();
    await ledger.claim(k, { payloadHash: 'h', owner: 'a' });
    assert.equal(await ledger.release(k, 'b'), false, 'only the owner releases');
    assert.equal(await ledger.release(k, 'a'), true);
    assert.equal(await ledger.get(k), undefined);
    const again = await ledger.claim(k, { payloadHash: 'h2', owner: 'b' });
    assert.equal(again.claimed, true);
    assert.equal(again.record.owner, 'b');
    assert.equal(await ledger.release(k), true, 'without an owner, any claim is released');
  });

  it('leases each unresolved payment to one of many concurrent sweepers, with its stored payment', async () => {
    const pendingKey = key();
    const quietKey = key();
    const freshKey = key();
    const doneKey = key();
    for (const k of [pendingKey, quietKey, freshKey, doneKey])
      await ledger.claim(k, { payloadHash: 'h', owner: 'a', payment: `{"k":"${k.nonce}"}` });
    await ledger.complete(pendingKey, 'pending', { ...settled(`0x${'c1'.repeat(32)}`), success: false });
    await ledger.recordBroadcast(quietKey, 'a', `0x${'c2'.repeat(32)}`);
    await ledger.recordBroadcast(freshKey, 'a', `0x${'c3'.repeat(32)}`);
    await ledger.complete(doneKey, 'settled', settled(`0x${'c4'.repeat(32)}`));
    const before = await ledger.countUnresolved();
    assert.ok(before >= 3);
    // eight sweepers at once, on their own connections: every row goes to exactly one of them
    const sweepers = await Promise.all(Array.from({ length: 4 }, () => s.open()));
    const leased = await Promise.all(
      [...sweepers, ...sweepers].map((l, i) =>
        l.leaseUnresolved({ owner: `s${i}`, leaseMs: 60_000, quietMs: 0, limit: 100 }),
      ),
    );
    const nonces = leased.flat().map((row) => row.record.key.nonce);
    assert.equal(new Set(nonces).size, nonces.length, 'no row leased twice');
    for (const k of [pendingKey, quietKey, freshKey])
      assert.ok(nonces.includes(k.nonce.toLowerCase()), 'unresolved rows are leased');
    assert.ok(!nonces.includes(doneKey.nonce.toLowerCase()), 'settled rows are not');
    const row = leased.flat().find((r) => r.record.key.nonce === pendingKey.nonce.toLowerCase());
    assert.equal(row?.payment, `{"k":"${pendingKey.nonce}"}`);
    assert.equal(row?.record.state, 'pending');
    // leased rows stay skipped until the lease ends
    assert.deepEqual(await ledger.leaseUnresolved({ owner: 'late', leaseMs: 1, quietMs: 0, limit: 100 }), []);
    for (const l of sweepers) await l.close();
    // a broadcast row is left to its sender until it has been quiet for quietMs
    const young = key();
    await ledger.claim(young, { payloadHash: 'h', owner: 'a' });
    await ledger.recordBroadcast(young, 'a', `0x${'c5'.repeat(32)}`);
    const quietOnly = await ledger.leaseUnresolved({
      owner: 'q',
      leaseMs: 60_000,
      quietMs: 60_000,
      limit: 100,
    });
    assert.ok(!quietOnly.some((r) => r.record.key.nonce === young.nonce.toLowerCase()));
  });

  it('reserves for one of 30 concurrent attempts; only that attempt (or anyone after expiry) claims it', async () => {
    const k = key();
    const far = Date.now() + 60_000;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        ledger.reserve(k, { payloadHash: 'h', owner: 'o', attempt: `att_${i}`, expiresAt: far }),
      ),
    );
    const winners = results.filter((r) => r.reserved);
    assert.equal(winners.length, 1);
    const holder = winners[0]?.record.attempt ?? '';
    assert.equal(winners[0]?.record.state, 'reserved');
    assert.equal(
      (await ledger.reserve(k, { payloadHash: 'h', owner: 'o', attempt: holder, expiresAt: far })).reserved,
      true,
      'renewed by its holder',
    );
    assert.equal(
      (await ledger.reserve(k, { payloadHash: 'h', owner: 'o', attempt: undefined, expiresAt: far }))
        .reserved,
      false,
    );
    assert.equal(
      (await ledger.claim(k, { payloadHash: 'h', owner: 'o', attempt: 'att_other' })).claimed,
      false,
    );
    assert.equal(
      (await ledger.claim(k, { payloadHash: 'h', owner: 'o' })).claimed,
      false,
      'not by an anonymous caller',
    );
    assert.equal(
      (await ledger.claim(k, { payloadHash: 'other', owner: 'o', attempt: holder })).claimed,
      false,
      'not with another payload',
    );
    const claimed = await ledger.claim(k, { payloadHash: 'h', owner: 'o2', attempt: holder });
    assert.equal(claimed.claimed, true);
    assert.equal(claimed.record.state, 'claimed');
    assert.equal(claimed.record.owner, 'o2');
    assert.equal(claimed.record.expiresAt, undefined);
    assert.equal(await ledger.releaseReservation(k, holder), false, 'a claim is no reservation');

    const lapsed = key();
    const past = Date.now() - 1;
    await ledger.reserve(lapsed, { payloadHash: 'h', owner: 'o', attempt: 'att_a', expiresAt: past });
    assert.equal(
      (await ledger.reserve(lapsed, { payloadHash: 'h', owner: 'o', attempt: 'att_b', expiresAt: far }))
        .reserved,
      true,
    );
    assert.equal(await ledger.releaseReservation(lapsed, 'att_a'), false);
    assert.equal(await ledger.releaseReservation(lapsed, 'att_b'), true);
    assert.equal(await ledger.get(lapsed), undefined);
  });

  it('lets an anonymous settle take an anonymous reservation, once', async () => {
    const k = key();
    await ledger.reserve(k, {
      payloadHash: 'h',
      owner: 'o',
      attempt: undefined,
      expiresAt: Date.now() + 60_000,
    });
    const both = await Promise.all([
      ledger.claim(k, { payloadHash: 'h', owner: 'a' }),
      ledger.claim(k, { payloadHash: 'h', owner: 'b' }),
    ]);
    assert.equal(both.filter((c) => c.claimed).length, 1);

    // made by an authenticated caller: only an anonymous settle of that same principal takes it
    const keyed = key();
    const far = Date.now() + 60_000;
    await ledger.reserve(keyed, {
      payloadHash: 'h',
      owner: 'o',
      attempt: undefined,
      principal: 'shop',
      expiresAt: far,
    });
    assert.equal(
      (await ledger.claim(keyed, { payloadHash: 'h', owner: 'o' })).claimed,
      false,
      'no principal',
    );
    assert.equal(
      (await ledger.claim(keyed, { payloadHash: 'h', owner: 'o', principal: 'mallory' })).claimed,
      false,
    );
    const mine = await ledger.claim(keyed, { payloadHash: 'h', owner: 'o', principal: 'shop' });
    assert.equal(mine.claimed, true);
    assert.equal(mine.record.principal, 'shop');
  });

  it('keeps a heart-beaten claim; hands a stale one to exactly one taker; sweeps abandoned claims', async () => {
    const k = key();
    await ledger.claim(k, { payloadHash: 'h', owner: 'dead', attempt: 'att_x' });
    const before = (await ledger.get(k))?.updatedAt ?? 0;
    assert.ok((await ledger.heartbeat('dead')) >= 1);
    assert.equal(await ledger.takeOver(k, 'dead', before - 1, 'me'), false, 'alive: not taken');
    await new Promise((r) => setTimeout(r, 5));
    const stale = Date.now();
    const takers = await Promise.all(['t1', 't2', 't3'].map((t) => ledger.takeOver(k, 'dead', stale, t)));
    assert.equal(takers.filter(Boolean).length, 1);
    const swept = await ledger.leaseUnresolved({
      owner: 's',
      leaseMs: 1,
      quietMs: 60_000,
      abandonedMs: 0,
      limit: 1000,
    });
    assert.ok(
      swept.some((r) => r.record.key.nonce === k.nonce.toLowerCase() && r.record.state === 'claimed'),
    );
  });

  it('lists records by network, payer and nonce, newest first', async () => {
    const payer = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    const mine = [key({ payer }), key({ payer }), key({ payer, network: 'eip155:1' })];
    for (const k of mine) await ledger.claim(k, { payloadHash: 'h', owner: 'a' });
    const all = await ledger.list({ payer });
    assert.equal(all.length, 3);
    assert.ok(all.every((r) => r.key.payer === payer.toLowerCase()));
    assert.ok((all[0]?.createdAt ?? 0) >= (all[2]?.createdAt ?? 0));
    assert.equal((await ledger.list({ payer, network: 'eip155:1' })).length, 1);
    const one = await ledger.list({ nonce: mine[1]?.nonce.toUpperCase().replace('0X', '0x') ?? '' });
    assert.equal(one.length, 1);
    assert.equal((await ledger.list({ payer, limit: 2 })).length, 2);
    assert.equal((await ledger.list({ payer: '0x0000000000000000000000000000000000000001' })).length, 0);
  });
}

describe('SQLite ledger (libsql)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'x402kit-ledger-'));
  ledgerSuite(() => ({
    name: 'sqlite',
    open: () => createSqliteLedger({ path: join(dir, 'ledger.db') }),
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  }));

  it('lets one claim per key win when 5 processes race 20 keys on one file', async () => {
    const path = join(dir, 'race.db');
    await (await createSqliteLedger({ path })).close();
    const keys = Array.from({ length: 20 }, () => key());
    const startAt = Date.now() + 1500;
    const script = `
      import { createSqliteLedger } from ${JSON.stringify(new URL('./sqlite-ledger.ts', import.meta.url).href)};
      const [path, keys, startAt, owner] = JSON.parse(process.env.RACE);
      const ledger = await createSqliteLedger({ path });
      while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 1));
      const won = [];
      for (const k of keys) if ((await ledger.claim(k, { payloadHash: 'h', owner })).claimed) won.push(k.nonce);
      await ledger.close();
      console.log(JSON.stringify(won));
    `;
    const runs = await Promise.all(
      Array.from({ length: 5 }, (_, i) => {
        const child = spawn(
          process.execPath,
          ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
          { env: { ...process.env, RACE: JSON.stringify([path, keys, startAt, `p${i}`]) } },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
        });
        child.stderr.on('data', (c: Buffer) => {
          err += c.toString();
        });
        return new Promise<string[]>((resolve, reject) =>
          child.once('exit', (code) =>
            code === 0 ? resolve(z.array(z.string()).parse(JSON.parse(out))) : reject(new Error(err)),
          ),
        );
      }),
    );
    const wins = runs.flat();
    assert.equal(wins.length, keys.length, `wins per process: ${runs.map((r) => r.length).join(', ')}`);
    assert.equal(new Set(wins).size, keys.length);
  });

  it('works in memory', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const k = key();
    assert.equal((await ledger.claim(k, { payloadHash: 'h', owner: 'a' })).claimed, true);
    assert.equal((await ledger.claim(k, { payloadHash: 'h', owner: 'b' })).claimed, false);
    await ledger.close();
  });
});

describe('PostgreSQL ledger (pg)', () => {
  ledgerSuite(() =>
    freshSchemaStores('ledger_test', (url, schema) =>
      createPostgresLedger({ url, schema, maxConnections: 5 }),
    ),
  );

  it('applies migrations once when many instances start at the same time', async () => {
    const url = await testPostgresUrl();
    const fresh = freshSchemaName('ledger_mig');
    try {
      const ledgers = await Promise.all(
        Array.from({ length: 6 }, () => createPostgresLedger({ url, schema: fresh, maxConnections: 2 })),
      );
      await Promise.all(ledgers.map((l) => l.close()));
    } finally {
      await dropSchema(url, fresh);
    }
  });

  it('refuses a schema name that is not an identifier', async () => {
    await assert.rejects(
      createPostgresLedger({ url: 'postgres://x@127.0.0.1/x', schema: 'a"; DROP' }),
      /identifier/,
    );
  });
});
