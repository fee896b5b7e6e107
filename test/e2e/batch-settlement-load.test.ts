/**
 * batch-settlement under load on two server instances (issue 14's proof): the devnet, one `x402kit
 * facilitator` process, TWO resource-server processes (our Express and our Hono middleware +
 * createBatchSettlementEvmServer) sharing ONE PostgreSQL channel store, route maxTimeoutSeconds 10; 10 payer wallets (10 channels),
 * 50 concurrent workers (5 per channel, alternating between the instances) until 1000 paid 200s.
 *
 * It proves: handler runs == 1000 == 200 answers; every (channelId, maxClaimableAmount) voucher accepted
 * at most once; the store charged exactly 1000 x price; one claim + sweep moves exactly that to the
 * receiver and each channel's on-chain totalClaimed equals its charge; the only refusals the clients
 * met are the contention ones (busy channel, corrective 402, a copy of an in-flight voucher), each
 * followed by that worker's success.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertChargedOncePerVoucher,
  assertClaimMovesExactly,
  assertLoadRan,
} from './batch-settlement-assertions.js';
import { type BatchStack, PRICE, startBatchStack } from './batch-settlement-stack.js';
import { runLoad } from './batch-settlement-workers.js';

const CHANNELS = 10;
const PER_CHANNEL = 100;

let stack: BatchStack;

before(async () => {
  stack = await startBatchStack('load', 2, { maxTimeoutSeconds: 10 });
});
after(async () => {
  await stack?.close();
});

describe('batch-settlement: 1000 paid requests, 10 channels, 50 workers, two server instances on one PostgreSQL store', () => {
  it('each voucher accepted once, charged == 1000 x price, the claim moves exactly that', async () => {
    const stats = await runLoad(stack);
    const refused = assertLoadRan(stats, CHANNELS * PER_CHANNEL);
    console.log(
      `batch-settlement load: ${stats.paid.length} paid in ${stats.elapsedMs} ms ` +
        `(${Math.round((stats.paid.length * 1000) / stats.elapsedMs)}/s); refusals ${refused} ` +
        `${JSON.stringify(stats.refusals)}; pending ${stats.pending}; lost ${stats.lost}`,
    );
    assert.equal(stats.lost, 0);
    const byInstance = (name: string) => stats.paid.filter((p) => p.instance === name).length;
    assert.ok(byInstance('a') > 0 && byInstance('b') > 0, `a ${byInstance('a')}, b ${byInstance('b')}`);
    const deposits = stats.paid.filter((p) => p.transaction !== '');
    assert.equal(deposits.length, CHANNELS, 'one deposit per channel, every other request a voucher');

    const executions = stack.executions();
    assert.equal(executions.length, CHANNELS * PER_CHANNEL, 'handler runs == 200 answers');
    const executed = executions.map((e) => `${e.channelId}:${e.max}`);
    assert.equal(new Set(executed).size, executed.length, 'a voucher ran the handler twice');
    assert.deepEqual(
      [...executed].sort(),
      stats.paid.map((p) => `${p.channelId}:${p.max}`).sort(),
      'the handler ran for exactly the vouchers answered 200',
    );

    const { total: charged, unanswered } = await assertChargedOncePerVoucher(stack, stats);
    assert.deepEqual(unanswered, []);
    assert.equal(charged, BigInt(CHANNELS * PER_CHANNEL) * PRICE);
    const run = await assertClaimMovesExactly(stack, charged);
    console.log(
      `batch-settlement load: one claim of ${run.batches[0]} channels (${run.claimTransactions[0]}), ` +
        `swept ${JSON.stringify(run.swept)}`,
    );
  });
});
