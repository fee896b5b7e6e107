import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Facilitator } from '@x402kit/core';
import type { LogEvent } from '../log.js';
import { guardSettlements } from './guard-settlements.js';
import type { KeyLeaseStore, SettlementKey } from './key-lease-store.js';
import { acquireKeyLeases, SettlementKeyInUseError } from './key-leases.js';
import { createSqliteKeyLeaseStore } from './sqlite-key-lease-store.js';

// anvil's well-known account 0 as an EVM and a TRON sender, and a Solana fee payer: each chain
// module names its own family, which the lease table keeps apart
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const TRON_ADDRESS = 'TYUA5rzEUFcuJSnoezWEmhaZDfvJ1Vbx9y';
const SOLANA_FEE_PAYER = 'FacP7vZUMZ6Sf1kDmAJ1u3TNXhXoHKJ8a3oGd6mDGZ4Y';

const dir = mkdtempSync(join(tmpdir(), 'x402kit-key-leases-'));
let files = 0;
const stores: KeyLeaseStore[] = [];
after(async () => {
  for (const store of stores) await store.close();
  rmSync(dir, { recursive: true, force: true });
});
/** Two stores on one new file: two instances sharing a ledger. */
async function sharedFile(): Promise<[KeyLeaseStore, KeyLeaseStore]> {
  const path = join(dir, `ledger-${++files}.db`);
  const pair: [KeyLeaseStore, KeyLeaseStore] = [
    await createSqliteKeyLeaseStore({ path }),
    await createSqliteKeyLeaseStore({ path }),
  ];
  stores.push(...pair);
  return pair;
}

describe('acquireKeyLeases', () => {
  const keys: SettlementKey[] = [
    { family: 'evm', address: ADDRESS },
    { family: 'tron', address: TRON_ADDRESS },
    { family: 'solana', address: SOLANA_FEE_PAYER },
  ];
  const evm = keys.filter((k) => k.family === 'evm');
  const tron = keys.filter((k) => k.family === 'tron');

  it('refuses a second instance with a message that names the address and says what to do, never the key', async () => {
    const [a, b] = await sharedFile();
    const first = await acquireKeyLeases({ store: a, keys, holder: 'facilitator-a', staleAfterMs: 10_000 });
    const refused = await acquireKeyLeases({
      store: b,
      keys,
      holder: 'facilitator-b',
      staleAfterMs: 10_000,
    }).then(
      () => assert.fail('the second instance started'),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof SettlementKeyInUseError);
    assert.equal(refused.reason, 'settlement_key_in_use');
    assert.equal(refused.holder, 'facilitator-a');
    assert.deepEqual(refused.key, keys[0]);
    assert.match(
      refused.message,
      new RegExp(`settlement key ${ADDRESS} \\(evm\\) is in use by instance "facilitator-a"`),
    );
    assert.match(refused.message, /its own key \(signers\.privateKeys/);
    // free once the holder is silent for more than 10 000 ms: 10 or 11 s, by the millisecond the test ran in
    assert.ok(refused.freeInMs > 9_000 && refused.freeInMs <= 10_001, String(refused.freeInMs));
    assert.match(refused.message, new RegExp(`start again in ${Math.ceil(refused.freeInMs / 1000)} s`));
    assert.doesNotMatch(refused.message, new RegExp(KEY.slice(2), 'i'));
    await first.release();
    const second = await acquireKeyLeases({ store: b, keys, holder: 'facilitator-b', staleAfterMs: 10_000 });
    assert.equal(second.held(), true, 'a clean release frees the keys at once');
    await second.release();
  });

  it('takes all keys or none: a refused key gives back the ones already taken', async () => {
    const [a, b] = await sharedFile();
    const holder = await acquireKeyLeases({
      store: a,
      keys: tron,
      holder: 'tron-only',
      staleAfterMs: 10_000,
    });
    await assert.rejects(
      acquireKeyLeases({ store: b, keys, holder: 'both', staleAfterMs: 10_000 }),
      (error: unknown) => error instanceof SettlementKeyInUseError && error.key.family === 'tron',
    );
    assert.equal(await b.get(keys[0] as SettlementKey), undefined, 'the EVM lease was given back');
    await holder.release();
  });

  it('fences itself: no heartbeat for three quarters of the bound and settlements are refused', async () => {
    const [a] = await sharedFile();
    let now = 0;
    const leases = await acquireKeyLeases({
      store: a,
      keys,
      holder: 'fenced',
      staleAfterMs: 1000,
      clock: () => now,
    });
    const inner: Pick<Facilitator, 'settle'> = {
      settle: async () => ({ success: true, transaction: '0x1', network: 'eip155:84532' }),
    };
    const guarded = guardSettlements(inner, leases);
    assert.equal((await guarded.settle({}, { network: 'eip155:84532' })).success, true);
    now = 749;
    assert.equal(leases.held(), true);
    now = 750;
    assert.equal(leases.held(), false);
    assert.match(leases.problem() ?? '', /not renewed for 750 ms/);
    const refused = await guarded.settle({}, { network: 'eip155:84532' });
    assert.deepEqual(
      {
        success: refused.success,
        errorReason: refused.errorReason,
        network: refused.network,
        transaction: refused.transaction,
      },
      { success: false, errorReason: 'unexpected_settle_error', network: 'eip155:84532', transaction: '' },
    );
    assert.match(refused.errorMessage ?? '', /nothing was sent/);
    await leases.heartbeat();
    assert.equal(leases.held(), true, 'a heartbeat that lands lifts the fence');
    await leases.release();
    assert.equal(leases.held(), false, 'a released instance settles no more');
  });

  it('notices a takeover at its next heartbeat, and takes the key back only once it is free', async () => {
    const [a, b] = await sharedFile();
    const events: LogEvent[] = [];
    const slow = await acquireKeyLeases({
      store: a,
      keys: evm,
      holder: 'slow',
      staleAfterMs: 200,
      log: (e) => events.push(e),
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const taker = await acquireKeyLeases({ store: b, keys: evm, holder: 'taker', staleAfterMs: 200 });
    await slow.heartbeat();
    assert.equal(slow.held(), false);
    assert.match(slow.problem() ?? '', /was lost: instance "taker" holds it now/);
    assert.ok(events.some((e) => e.level === 'error' && /lease lost to instance "taker"/.test(e.message)));
    await taker.release();
    await slow.heartbeat();
    assert.equal(slow.held(), true);
    await slow.release();
  });

  it('stops settling and still shuts down within the bound when the database stops answering', async () => {
    const [a] = await sharedFile();
    const hung = new Promise<never>(() => {});
    let answering = true;
    const store: KeyLeaseStore = {
      ...a,
      renew: (lease) => (answering ? a.renew(lease) : hung),
      release: (lease) => (answering ? a.release(lease) : hung),
    };
    const events: LogEvent[] = [];
    const leases = await acquireKeyLeases({
      store,
      keys: evm,
      holder: 'cut-off',
      staleAfterMs: 300,
      log: (e) => events.push(e),
    });
    leases.start();
    answering = false;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(leases.held(), false, 'past 3/4 of the bound without a heartbeat');
    const started = performance.now();
    await leases.release();
    const took = performance.now() - started;
    assert.ok(took < 800, `release took ${Math.round(took)} ms`);
    assert.ok(events.some((e) => e.level === 'warn' && /lease not released/.test(e.message)));
  });

  it('heart-beats on its own once started', async () => {
    const [a, b] = await sharedFile();
    const leases = await acquireKeyLeases({ store: a, keys: evm, holder: 'beating', staleAfterMs: 200 });
    leases.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(leases.held(), true);
    await assert.rejects(
      acquireKeyLeases({ store: b, keys: evm, holder: 'late', staleAfterMs: 200 }),
      SettlementKeyInUseError,
      'still live after more than twice its bound',
    );
    await leases.release();
  });
});
