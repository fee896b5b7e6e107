/**
 * The conformance suite every `batch-settlement` channel store passes (in memory, SQLite, PostgreSQL,
 * Redis): the ordering rule (one live reservation per channel, commit only by its holder, lapse),
 * charges kept under concurrency from two store instances, the mirror rules of `recordOnchain`,
 * list/delete, and wrong inputs answered with `batch_settlement_channel_store_failed`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelStore, ServerChannel } from '@x402kit/evm/batch-settlement';
import { BatchSettlementReasons } from '@x402kit/evm/batch-settlement';
import { chargeOnce, holdFor, sampleChannel, seedChannel } from './channel-samples.js';

/** A sample channel charged (and signed for) up to `charged`, of which `totalClaimed` is claimed on-chain. */
const chargedChannel = (charged: string, totalClaimed = '0') =>
  sampleChannel({ chargedCumulativeAmount: charged, signedMaxClaimable: charged, totalClaimed });

/** Opens a store over the suite's backend; each call is another instance (another server process). */
export type ChannelStoreMaker = () => Promise<ChannelStore> | ChannelStore;

/** The two instances over one backend every case works with. */
type StorePair = { a: ChannelStore; b: ChannelStore };

/** The conformance cases: each an `it` with this title, registered in this order. */
const CONFORMANCE_CASES: ReadonlyArray<readonly [string, (stores: StorePair) => Promise<void>]> = [
  ['reserve, busy, commit, release: one live reservation per channel', oneLiveReservation],
  [
    'a lapsed reservation is taken over; the lapsed holder can no longer commit or release',
    lapsedReservationTakenOver,
  ],
  ['a lapsed reservation nobody took is still its holder’s to commit', lapsedReservationStillHolders],
  ['50 concurrent reserves on one channel from two instances: exactly one is reserved', concurrentReserves],
  ['200 concurrent charges over 10 channels from two instances: every charge kept', concurrentCharges],
  [
    'recordOnchain: totalClaimed never goes down, a concurrent charge is kept, unknown channels ignored',
    recordOnchainMirror,
  ],
  ['a claim mirrored while a request holds the channel survives that request’s commit', claimSurvivesCommit],
  ['list and delete', listAndDelete],
  [
    'wrong inputs are the store’s error (batch_settlement_channel_store_failed), never a crash',
    wrongInputsRejected,
  ],
];

/**
 * Register the suite (node:test `describe`/`it`) for one store. `makeStore` is called twice: both
 * instances must share one backend (the in-memory store returns itself). `cleanup` runs after both
 * are closed (drop the schema, delete the keys).
 *
 * @example runChannelStoreConformance('redis', () => createRedisChannelStore({ url, keyPrefix }), dropKeys)
 */
export function runChannelStoreConformance(
  name: string,
  makeStore: ChannelStoreMaker,
  cleanup?: () => Promise<void>,
): void {
  describe(`${name} channel store conformance`, () => {
    let a: ChannelStore;
    let b: ChannelStore;
    before(async () => {
      a = await makeStore();
      b = await makeStore();
    });
    after(async () => {
      await a?.close();
      if (b !== a) await b?.close();
      await cleanup?.();
    });
    for (const [title, run] of CONFORMANCE_CASES) it(title, () => run({ a, b }));
  });
}

/** One live reservation per channel: busy for the others, committed only by its holder, released only by it. */
async function oneLiveReservation({ a, b }: StorePair): Promise<void> {
  const channel = sampleChannel();
  const id = channel.channelId;
  assert.equal(await a.get(id), undefined);
  const first = holdFor('first');
  assert.deepEqual(await a.reserve(id, first), { status: 'reserved', channel: undefined });
  assert.equal(await a.get(id), undefined, 'a reservation alone is no channel');
  assert.deepEqual(await b.reserve(id, holdFor('second')), {
    status: 'busy',
    heldUntil: first.expiresAt,
  });
  assert.equal(await b.commit(id, 'second', channel), false, 'only the holder commits');
  assert.equal(await a.get(id), undefined);
  assert.equal(await a.commit(id, 'first', channel), true);
  assert.deepEqual(await b.get(id), channel);

  assert.deepEqual(await b.reserve(id, holdFor('third')), { status: 'reserved', channel });
  await a.release(id, 'someone-else');
  assert.equal(
    (await a.reserve(id, holdFor('fourth'))).status,
    'busy',
    'release by a non-holder frees nothing',
  );
  await b.release(id, 'third');
  assert.deepEqual(await b.get(id), channel, 'release leaves the state as it was');
  assert.deepEqual(await a.reserve(id, holdFor('fourth')), { status: 'reserved', channel });
  assert.equal(await a.commit(id, 'third', { ...channel, chargedCumulativeAmount: '9' }), false);
  await a.release(id, 'fourth');
  assert.deepEqual(await a.get(id), channel);
}

/** A lapsed reservation is taken over; its former holder can no longer commit or release. */
async function lapsedReservationTakenOver({ a, b }: StorePair): Promise<void> {
  const channel = chargedChannel('10');
  const id = channel.channelId;
  await seedChannel(a, channel);

  const dying = holdFor('dying', 300);
  assert.equal((await a.reserve(id, dying)).status, 'reserved');
  assert.deepEqual(await b.reserve(id, holdFor('early')), { status: 'busy', heldUntil: dying.expiresAt });
  await sleep(dying.expiresAt - Date.now() + 50);
  assert.deepEqual(await b.reserve(id, holdFor('successor')), { status: 'reserved', channel });
  const late = { ...channel, chargedCumulativeAmount: '15', signedMaxClaimable: '15' };
  assert.equal(await a.commit(id, 'dying', late), false, 'the lapsed holder lost the channel');
  assert.deepEqual(await a.get(id), channel, 'nothing written by the refused commit');
  await a.release(id, 'dying');
  assert.equal((await a.reserve(id, holdFor('other'))).status, 'busy', 'the successor still holds it');
  const next = { ...channel, chargedCumulativeAmount: '12', signedMaxClaimable: '12' };
  assert.equal(await b.commit(id, 'successor', next), true);
  assert.deepEqual(await a.get(id), next);
}

/** A lapsed reservation nobody took is still its holder’s to commit. */
async function lapsedReservationStillHolders({ a, b }: StorePair): Promise<void> {
  const channel = sampleChannel({ chargedCumulativeAmount: '3' });
  const held = holdFor('slow', 30);
  await a.reserve(channel.channelId, held);
  await sleep(held.expiresAt - Date.now() + 30);
  assert.equal(await a.commit(channel.channelId, 'slow', channel), true);
  assert.deepEqual(await b.get(channel.channelId), channel);
}

/** 50 concurrent reserves on one channel from two instances: exactly one is reserved. */
async function concurrentReserves({ a, b }: StorePair): Promise<void> {
  const id = sampleChannel().channelId;
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).reserve(id, holdFor(`racer-${i}`))),
  );
  const winners = answers.flatMap((answer, i) => (answer.status === 'reserved' ? [i] : []));
  assert.equal(winners.length, 1, `reserved by ${winners.length} attempts`);
  const heldUntil = new Set(
    answers.flatMap((answer) => (answer.status === 'busy' ? [answer.heldUntil] : [])),
  );
  assert.equal(heldUntil.size, 1, 'every busy answer names the one holder');
}

/** 200 concurrent charges over 10 channels from two instances: every charge kept. */
async function concurrentCharges({ a, b }: StorePair): Promise<void> {
  const channels = Array.from({ length: 10 }, () => sampleChannel());
  const expected = new Map(channels.map((c) => [c.channelId, 0n]));
  const runs = Array.from({ length: 200 }, (_, i) => {
    const channel = channels[i % channels.length] as ServerChannel;
    const amount = BigInt(1 + Math.floor(Math.random() * 1000));
    expected.set(channel.channelId, (expected.get(channel.channelId) ?? 0n) + amount);
    return chargeOnce(i % 2 === 0 ? a : b, channel, amount, `charge-${i}`);
  });
  const committed = await Promise.all(runs);
  assert.equal(committed.filter(Boolean).length, 200, 'every holder committed');
  for (const channel of channels) {
    const stored = await (channel.channelId.endsWith('0') ? a : b).get(channel.channelId);
    assert.equal(stored?.chargedCumulativeAmount, String(expected.get(channel.channelId)));
  }
}

/** recordOnchain: totalClaimed never goes down, a concurrent charge is kept, unknown channels ignored. */
async function recordOnchainMirror({ a, b }: StorePair): Promise<void> {
  const unknown = sampleChannel().channelId;
  await a.recordOnchain(unknown, {
    balance: '5',
    totalClaimed: '5',
    withdrawRequestedAt: 0,
    refundNonce: '0',
  });
  assert.equal(await a.get(unknown), undefined);

  const channel = chargedChannel('1500', '99');
  const id = channel.channelId;
  await seedChannel(a, channel);
  const before = Date.now();
  await b.recordOnchain(id, {
    balance: '2000',
    totalClaimed: '1000',
    withdrawRequestedAt: 0,
    refundNonce: '0',
  });
  let stored = await a.get(id);
  assert.equal(stored?.totalClaimed, '1000');
  assert.equal(stored?.balance, '2000');
  assert.equal(stored?.chargedCumulativeAmount, '1500', 'the charge is not the mirror’s');
  assert.ok((stored?.onchainSyncedAt ?? 0) >= before, 'onchainSyncedAt stamped');
  await b.recordOnchain(id, {
    balance: '1800',
    totalClaimed: '999',
    withdrawRequestedAt: 7,
    refundNonce: '1',
  });
  stored = await a.get(id);
  assert.deepEqual(
    [stored?.totalClaimed, stored?.balance, stored?.withdrawRequestedAt, stored?.refundNonce],
    ['1000', '1800', 7, '1'],
    'a lower totalClaimed (999 < 1000) is not written; the rest is',
  );
}

/** A claim mirrored while a request holds the channel survives that request’s commit. */
async function claimSurvivesCommit({ a, b }: StorePair): Promise<void> {
  const channel = chargedChannel('700', '300');
  const id = channel.channelId;
  await seedChannel(a, channel);
  const held = await a.reserve(id, holdFor('request'));
  assert.equal(held.status, 'reserved');
  const seen = (held as { channel: ServerChannel }).channel;
  await b.recordOnchain(id, {
    balance: '900000',
    totalClaimed: '700',
    withdrawRequestedAt: 0,
    refundNonce: '0',
  });
  const next = {
    ...seen,
    chargedCumulativeAmount: '750',
    signedMaxClaimable: '750',
    lastRequestAt: Date.now(),
  };
  assert.equal(await a.commit(id, 'request', next), true);
  const stored = await b.get(id);
  assert.equal(stored?.chargedCumulativeAmount, '750', 'the request’s charge is written');
  assert.equal(stored?.totalClaimed, '700', 'the claim is not undone');
  assert.equal(stored?.balance, '900000', 'the newer mirror is kept');
}

/** list and delete, a reservation alone listing no channel. */
async function listAndDelete({ a, b }: StorePair): Promise<void> {
  const channels = Array.from({ length: 3 }, (_, i) => sampleChannel({ chargedCumulativeAmount: String(i) }));
  for (const channel of channels) {
    await seedChannel(a, channel);
  }
  const reservedOnly = sampleChannel().channelId;
  await a.reserve(reservedOnly, holdFor('only'));
  const ours = (list: ServerChannel[], ids: string[]) =>
    list.filter((c) => ids.includes(c.channelId)).sort((x, y) => x.channelId.localeCompare(y.channelId));
  const ids = [...channels.map((c) => c.channelId), reservedOnly];
  const sorted = [...channels].sort((x, y) => x.channelId.localeCompare(y.channelId));
  assert.deepEqual(ours(await b.list(), ids), sorted);

  const [gone, ...kept] = channels as [ServerChannel, ...ServerChannel[]];
  await b.delete(gone.channelId);
  await b.delete(sampleChannel().channelId);
  assert.equal(await a.get(gone.channelId), undefined);
  assert.deepEqual(
    ours(await a.list(), ids),
    [...kept].sort((x, y) => x.channelId.localeCompare(y.channelId)),
  );
  assert.deepEqual(await a.reserve(gone.channelId, holdFor('again')), {
    status: 'reserved',
    channel: undefined,
  });
}

/** Wrong inputs are the store’s error (batch_settlement_channel_store_failed), never a crash. */
async function wrongInputsRejected({ a, b }: StorePair): Promise<void> {
  const channel = sampleChannel({ chargedCumulativeAmount: '5' });
  const id = channel.channelId;
  await seedChannel(a, channel);
  const loose = (value: unknown) => value as never;
  const cases: [string, () => Promise<unknown>][] = [
    ['get(42)', () => a.get(loose(42))],
    ['get("0x12")', () => a.get(loose('0x12'))],
    ['reserve(id, null)', () => a.reserve(id, loose(null))],
    ['reserve: attempt 5', () => a.reserve(id, loose({ ...holdFor('x'), attempt: 5 }))],
    ['reserve: expiresAt "soon"', () => a.reserve(id, loose({ ...holdFor('x'), expiresAt: 'soon' }))],
    ['reserve: ceiling -1', () => a.reserve(id, loose({ ...holdFor('x'), signedMaxClaimable: '-1' }))],
    ['reserve: ceiling 2^128', () => a.reserve(id, holdFor('x', 1000, (2n ** 128n).toString()))],
    ['commit: channel null', () => a.commit(id, 'seed', loose(null))],
    ['commit: charge 1.5', () => a.commit(id, 'seed', loose({ ...channel, chargedCumulativeAmount: 1.5 }))],
    [
      'commit: charge "abc"',
      () => a.commit(id, 'seed', loose({ ...channel, chargedCumulativeAmount: 'abc' })),
    ],
    ['commit: another channel', () => a.commit(id, 'seed', sampleChannel())],
    [
      'commit: payer "nope"',
      () => a.commit(id, 'seed', loose({ ...channel, config: { ...channel.config, payer: 'nope' } })),
    ],
    ['commit: attempt ""', () => a.commit(id, '', channel)],
    ['release: attempt undefined', () => a.release(id, loose(undefined))],
    [
      'recordOnchain: totalClaimed 12',
      () =>
        a.recordOnchain(
          id,
          loose({ balance: '1', totalClaimed: 12, withdrawRequestedAt: 0, refundNonce: '0' }),
        ),
    ],
    ['recordOnchain(id, null)', () => a.recordOnchain(id, loose(null))],
    ['delete({})', () => a.delete(loose({}))],
  ];
  for (const [label, run] of cases) {
    await assert.rejects(run, (error: unknown) => {
      const {
        name: errorName,
        reason,
        message,
      } = error as { name?: string; reason?: string; message?: string };
      assert.equal(errorName, 'X402Error', `${label}: ${String(error)}`);
      assert.equal(reason, BatchSettlementReasons.channelStoreFailed, label);
      assert.ok(message && message.length > 10, `${label}: a message that says what is wrong`);
      return true;
    });
  }
  assert.deepEqual(await b.get(id), channel, 'nothing written by the wrong inputs');
  assert.equal((await b.reserve(id, holdFor('after'))).status, 'reserved', 'the store still works');
}
