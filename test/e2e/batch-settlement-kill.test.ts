/**
 * batch-settlement with processes killed by SIGKILL (issue 14's "nothing lost across a kill -9"): the
 * stack of the load test (two server processes on one PostgreSQL channel store, an `x402kit facilitator`
 * process with a SQLite ledger file, its RPC through a proxy, route maxTimeoutSeconds 10).
 *
 * 1. While 50 workers pay 1000 requests over 10 channels, server instance `b` holds one paid request in
 *    its handler and is killed with SIGKILL; a new instance (`b2`) starts on the same store and the
 *    workers go on to 1000. Every 200 is charged, each voucher at most once (the held voucher once or
 *    not at all); a charge no client got a 200 for is only a request the killed instance served and
 *    never answered; the held channel serves again once its reservation lapses; the claim moves
 *    exactly the sum charged.
 * 2. The facilitator is killed with SIGKILL during a deposit's settle, after its transaction was
 *    broadcast (and mined) and before it saw the receipt: the paying request answers 202 pending,
 *    never a failure; the facilitator restarts on the same ledger and port; the client's retry of the
 *    SAME payment gets 200 with that transaction; one deposit on chain, one settled ledger row; the
 *    channel then takes vouchers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from '@x402kit/core';
import { readTokenBalance } from '@x402kit/devnet';
import { BATCH_SETTLEMENT_ADDRESS } from '@x402kit/evm/batch-settlement';
import { until } from '@x402kit/testing/cut-rpc-facilitator';
import { createPublicClient, type Hex, http } from 'viem';
import {
  assertChargedOncePerVoucher,
  assertClaimMovesExactly,
  assertLoadRan,
  transferEvent,
} from './batch-settlement-assertions.js';
import { type BatchStack, killHard, PRICE, startBatchStack } from './batch-settlement-stack.js';
import { offerAt, payersOf, runLoad } from './batch-settlement-workers.js';

const CHANNELS = 10;
const PER_CHANNEL = 100;

let stack: BatchStack;

before(async () => {
  stack = await startBatchStack('kill', 2, { maxTimeoutSeconds: 10 });
});
after(async () => {
  await stack?.close();
});

/** Hold a request in `b`'s handler, SIGKILL `b`, start `b2` on the same store. */
async function killInstanceB(): Promise<{
  channelId: string;
  max: string;
  heldAt: number;
  killedAt: number;
}> {
  stack.holdNextRequest('b');
  await until('a request held in b', async () => stack.executions().some((e) => e.held), 60_000);
  const heldAt = performance.now();
  const held = stack.executions().find((e) => e.held);
  const b = stack.servers.get('b');
  assert.ok(held && b);
  await killHard(b);
  const killedAt = performance.now();
  stack.servers.delete('b');
  await stack.startServer('b2');
  return { channelId: held.channelId, max: held.max, heldAt, killedAt };
}

describe('batch-settlement: kill -9 of a server instance under load, and of the facilitator mid-deposit', () => {
  it('a server instance killed mid-request: every 200 charged once, the held voucher at most once, claim exact', async () => {
    let killing: ReturnType<typeof killInstanceB> | undefined;
    const stats = await runLoad(stack, (paid) => {
      if (paid >= 300 && !killing) killing = killInstanceB();
    });
    assert.ok(killing, 'the kill happened during the run');
    const held = await killing;
    const refused = assertLoadRan(stats, CHANNELS * PER_CHANNEL);
    assert.ok(stats.lost >= 1, 'the held request lost its answer');

    // every handler run on a live instance answered 200; the killed one's runs may be unanswered
    const executions = stack.executions();
    const key = (x: { channelId: string; max: string }) => `${x.channelId}:${x.max}`;
    const killedRuns = new Set(executions.filter((e) => e.instance === 'b').map(key));
    const liveRuns = executions.filter((e) => e.instance !== 'b').map(key);
    assert.equal(
      new Set(liveRuns).size,
      liveRuns.length,
      'a voucher ran the handler twice on live instances',
    );
    assert.deepEqual(
      [...liveRuns].sort(),
      stats.paid
        .filter((p) => p.instance !== 'b')
        .map(key)
        .sort(),
    );
    const { total, unanswered } = await assertChargedOncePerVoucher(stack, stats, (channelId, max) =>
      killedRuns.has(`${channelId}:${max}`),
    );
    assert.ok(unanswered.length <= stats.lost, `${unanswered.length} unanswered charges, ${stats.lost} lost`);
    const heldAnswers = stats.paid.filter((p) => key(p) === key(held));
    assert.ok(heldAnswers.length <= 1, 'the held voucher answered twice');
    // the dead instance's reservation holds the channel until it lapses (10 s after its verify), then it serves
    const servedAgain = stats.paid.filter((p) => p.channelId === held.channelId && p.at > held.heldAt);
    assert.ok(servedAgain.length > 0, 'the held channel serves again after the reservation lapsed');
    const gap = Math.round((servedAgain[0]?.at ?? 0) - held.heldAt);
    assert.ok(gap >= 9_000, `the held channel answered 200 ${gap} ms after the hold, inside its reservation`);

    await assertClaimMovesExactly(stack, total);
    console.log(
      `batch-settlement kill: ${stats.paid.length} paid in ${stats.elapsedMs} ms; refusals ${refused} ` +
        `${JSON.stringify(stats.refusals)}; lost answers ${stats.lost}; charged without a 200 (served by the ` +
        `killed instance) ${unanswered.length}; held voucher answered ${heldAnswers.length}x; the held ` +
        `channel served again ${gap} ms after the hold`,
    );
  });

  it('the facilitator killed after broadcasting a deposit: 202 pending, the retry gets 200 with that deposit, once', async () => {
    const { devnet, proxy } = stack;
    const payerAccount = devnet.extraPayers[CHANNELS] as (typeof devnet.extraPayers)[number];
    const [payer] = payersOf([payerAccount], devnet.rpcUrl);
    assert.ok(payer);
    const url = `${stack.servers.get('a')?.url}/slow-weather`;
    const payload = await payer.client.createPaymentPayload(await offerAt(url));
    const deposit = payload.payload as { type: string; deposit: { amount: string } };
    assert.equal(deposit.type, 'deposit');
    const header = encodePaymentSignatureHeader(payload);
    const escrow = () => readTokenBalance(devnet.rpcUrl, devnet.token.address, BATCH_SETTLEMENT_ADDRESS);
    const chain = createPublicClient({ transport: http(devnet.rpcUrl), cacheTime: 0 });
    const fromBlock = (await chain.getBlockNumber()) + 1n;
    const escrowBefore = await escrow();
    const sends = () => proxy.seen.get('eth_sendRawTransaction')?.total ?? 0;
    const sentBefore = sends();
    const runsBefore = stack.executions().length;

    // the receipt never comes back: the facilitator waits for it after the broadcast, and dies
    proxy.setFault('eth_getTransactionReceipt', { kind: 'drop' });
    const first = fetch(url, { headers: { 'PAYMENT-SIGNATURE': header } });
    await until('the deposit broadcast', async () => sends() > sentBefore, 60_000);
    await until('the deposit mined', async () => (await escrow()) > escrowBefore, 30_000);
    await killHard(stack.facilitator);
    const answer = await first;
    const said = decodePaymentResponseHeader(answer.headers.get('payment-response') ?? '');
    assert.equal(answer.status, 202, `${answer.status} ${JSON.stringify(said)}`);
    assert.equal(said.errorReason, 'settlement_pending');
    proxy.heal();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the dead key lease goes stale
    await stack.startFacilitator();

    // the client's retry of the SAME payment, on the instance that holds it, until it is not pending
    let retried = await fetch(url, { headers: { 'PAYMENT-SIGNATURE': header } });
    for (let i = 0; i < 60 && retried.status === 202; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      retried = await fetch(url, { headers: { 'PAYMENT-SIGNATURE': header } });
    }
    const body = await retried.text();
    const required = retried.headers.get('payment-required');
    assert.equal(
      retried.status,
      200,
      `${body} ${required ? JSON.stringify(decodePaymentRequiredHeader(required)) : ''} ${retried.headers.get('payment-response') ?? ''}`,
    );
    const settlement = decodePaymentResponseHeader(retried.headers.get('payment-response') ?? '');
    await payer.client.reportOutcome(payload, 'paid', settlement);
    const logs = await chain.getLogs({
      address: devnet.token.address,
      event: transferEvent,
      args: { from: payerAccount.address as Hex },
      fromBlock,
    });
    assert.equal(logs.length, 1, 'one deposit on chain');
    assert.equal(settlement.transaction, logs[0]?.transactionHash);
    assert.equal((await escrow()) - escrowBefore, BigInt(deposit.deposit.amount), 'deposited once');
    assert.equal(stack.executions().length, runsBefore + 1, 'the retry got the held answer, no second run');
    const ledger = await fetch(`${stack.facilitator.url}/payments?payer=${payerAccount.address}`);
    const rows = ((await ledger.json()) as { payments: Array<{ state: string; transaction: string | null }> })
      .payments;
    assert.deepEqual(
      rows.map((r) => [r.state, r.transaction]),
      [['settled', settlement.transaction]],
    );

    // the channel goes on: a voucher, no transaction
    const next = await payer.client.createPaymentPayload(await offerAt(url));
    assert.equal((next.payload as { type: string }).type, 'voucher');
    const voucher = await fetch(url, {
      headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(next) },
    });
    assert.equal(voucher.status, 200, await voucher.text());
    const charged = decodePaymentResponseHeader(voucher.headers.get('payment-response') ?? '');
    assert.equal(charged.transaction, '');
    assert.equal(
      (charged.extra as { channelState: { chargedCumulativeAmount: string } }).channelState
        .chargedCumulativeAmount,
      (2n * PRICE).toString(),
    );
  });
});
