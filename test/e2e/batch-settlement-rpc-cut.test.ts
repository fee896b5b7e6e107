/**
 * batch-settlement with the facilitator's RPC cut (issue 14): our Express middleware +
 * createBatchSettlementEvmServer, backed by our facilitator deployment (SQLite ledger, background
 * reconciler) whose RPC to anvil goes through a proxy that forwards `eth_sendRawTransaction` (the
 * node takes it) and then resets the connection, the chain unreadable until it heals.
 *
 * 1. A deposit cut right after its send: the client gets 202 `settlement_pending` with the hash, never
 *    a failure; after healing (the reconciler settles the hash) the retry of the SAME payment gets 200
 *    with the same transaction; one deposit on chain, the handler ran once.
 * 2. A claim cut right after its send: the claim answers pending (no sweep, nothing recorded); after
 *    healing the reconciler mines it, and the next claim (the same rows, then the rows with vouchers
 *    paid meanwhile) finishes it: totalClaimed on chain == charged, the receiver gains exactly the
 *    charged sum, never claimed twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import {
  BATCH_SETTLEMENT_ADDRESS,
  type BatchSettlementEvmServer,
  createBatchSettlementEvmServer,
  startClaimScheduler,
} from '@x402kit/evm/batch-settlement';
import { paymentMiddleware } from '@x402kit/http/express';
import { type CutRpcFacilitator, startCutRpcFacilitator, until } from '@x402kit/testing/cut-rpc-facilitator';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import express from 'express';
import { createPublicClient, type Hex, http } from 'viem';
import { channelsAbi, transferEvent } from './batch-settlement-assertions.js';
import { PRICE } from './batch-settlement-stack.js';
import { offerAt, type Payer, payersOf } from './batch-settlement-workers.js';

let devnet: Devnet;
let cut: CutRpcFacilitator;
let scheme: BatchSettlementEvmServer;
let server: Running;
let url: string;
let runs = 0;
let payer: Payer;
let payerAddress: Hex;

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);
const send = (payload: Parameters<typeof encodePaymentSignatureHeader>[0]) =>
  fetch(url, { headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) } });

before(async () => {
  devnet = await startDevnet({ port: 0, extraPayers: 1 });
  cut = await startCutRpcFacilitator(devnet, { instanceId: 'batch-settlement-e2e-rpc-cut' });
  scheme = createBatchSettlementEvmServer();
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: cut.url }),
    schemes: [{ network: 'eip155:*', server: scheme }],
  });
  await resourceServer.initialize();
  const accepts = {
    scheme: 'batch-settlement',
    network: devnet.network,
    payTo: devnet.accounts.payTo.address,
    price: '$0.001',
    maxTimeoutSeconds: 60,
  };
  const app = express();
  app.use(paymentMiddleware({ 'GET /weather': { accepts, description: 'weather' } }, resourceServer));
  app.get('/weather', (_req, res) => {
    runs++;
    res.json({ report: { weather: 'sunny' } });
  });
  server = await listenLocal(app);
  url = `${server.url}/weather`;
  const account = devnet.extraPayers[0] as (typeof devnet.extraPayers)[number];
  payerAddress = account.address as Hex;
  [payer] = payersOf([account], devnet.rpcUrl) as [Payer];
});
after(async () => {
  await server?.close();
  await cut?.close();
  await devnet?.stop();
});

/** One voucher paid and answered 200. */
async function payVoucher(): Promise<void> {
  const payload = await payer.client.createPaymentPayload(await offerAt(url));
  const res = await send(payload);
  assert.equal(res.status, 200, await res.text());
  await payer.client.reportOutcome(
    payload,
    'paid',
    decodePaymentResponseHeader(res.headers.get('payment-response') ?? ''),
  );
}

describe('batch-settlement with the facilitator RPC cut after a send', () => {
  it('a deposit: 202 settlement_pending with the hash, then the same payment gets 200 with that transaction, once', async () => {
    const payload = await payer.client.createPaymentPayload(await offerAt(url));
    const deposited = BigInt((payload.payload as { deposit: { amount: string } }).deposit.amount);
    const fromBlock = await cut.nextBlock();
    const escrowBefore = await balance(BATCH_SETTLEMENT_ADDRESS);
    cut.cutAfterSend();
    const pending = await send(payload);
    assert.ok(
      pending.headers.get('payment-response'),
      `${pending.status} ${await pending.clone().text()} ${pending.headers.get('payment-required') ?? ''}`,
    );
    const said = decodePaymentResponseHeader(pending.headers.get('payment-response') ?? '');
    assert.equal(pending.status, 202, `${pending.status} ${JSON.stringify(said)}`);
    assert.equal(said.success, false);
    assert.equal(said.errorReason, 'settlement_pending', 'pending, never failed');
    assert.match(said.transaction, /^0x[0-9a-f]{64}$/);
    assert.ok(cut.sendsCut() >= 1);

    cut.proxy.heal();
    await cut.settled(said.transaction);
    const paid = await send(payload);
    assert.equal(paid.status, 200, await paid.text());
    const settlement = decodePaymentResponseHeader(paid.headers.get('payment-response') ?? '');
    assert.equal(settlement.success, true);
    assert.equal(settlement.transaction, said.transaction, 'the same transaction');
    await payer.client.reportOutcome(payload, 'paid', settlement);
    const chain = createPublicClient({ transport: http(devnet.rpcUrl), cacheTime: 0 });
    const deposits = await chain.getLogs({
      address: devnet.token.address,
      event: transferEvent,
      args: { from: payerAddress },
      fromBlock,
    });
    assert.deepEqual(
      deposits.map((l) => l.transactionHash),
      [said.transaction],
      'one deposit on chain',
    );
    assert.equal((await balance(BATCH_SETTLEMENT_ADDRESS)) - escrowBefore, deposited);
    assert.equal(runs, 1, 'the handler ran once');
  });

  it('a claim: pending, then the reconciler and the next claims finish it; totalClaimed right, no double claim', async () => {
    for (let i = 0; i < 4; i++) await payVoucher(); // 5 x price charged
    const [channel] = await scheme.store.list();
    assert.ok(channel);
    assert.equal(channel.chargedCumulativeAmount, (5n * PRICE).toString());
    const chain = createPublicClient({ transport: http(devnet.rpcUrl), cacheTime: 0 });
    const claimedOnChain = async () =>
      (
        (await chain.readContract({
          address: BATCH_SETTLEMENT_ADDRESS,
          abi: channelsAbi,
          functionName: 'channels',
          args: [channel.channelId],
        })) as readonly [bigint, bigint]
      )[1];
    const payToBefore = await balance(devnet.accounts.payTo.address);
    const scheduler = startClaimScheduler({
      store: scheme.store,
      facilitator: createHttpFacilitatorClient({ url: cut.url }),
      network: devnet.network,
      policy: { intervalMs: 3_600_000 },
    });
    try {
      cut.cutAfterSend();
      const first = await scheduler.claimNow();
      assert.deepEqual(first.claimTransactions, []);
      assert.deepEqual(first.sweepTransactions, [], 'no sweep after a claim whose outcome is unknown');
      assert.equal(first.failures.length, 1, JSON.stringify(first.failures));
      assert.match(first.failures[0] ?? '', /settlement_pending/, 'pending, never failed');
      cut.proxy.heal();
      await until('the reconciler to mine the claim', async () => (await claimedOnChain()) === 5n * PRICE);

      // the same rows again are a retry of the same claim attempt (the attempt is derived from the
      // rows): the ledger answers the landed claim's outcome, never a second claim transaction
      const landed = /0x[0-9a-f]{64}/.exec(first.failures[0] ?? '')?.[0];
      assert.ok(landed, `the pending answer names its transaction: ${first.failures[0]}`);
      const again = await scheduler.claimNow();
      assert.deepEqual(again.failures, []);
      assert.deepEqual(again.claimTransactions, [landed], 'the landed claim, not a second one');
      assert.equal(again.sweepTransactions.length, 1, 'the sweep follows the landed claim');
      assert.equal(await claimedOnChain(), 5n * PRICE);
      assert.equal((await scheme.store.get(channel.channelId))?.totalClaimed, (5n * PRICE).toString());

      // vouchers paid since: the next claim takes exactly them
      await payVoucher();
      await payVoucher();
      const next = await scheduler.claimNow();
      assert.deepEqual(next.failures, []);
      assert.equal(next.claimTransactions.length, 1);
      assert.equal(await claimedOnChain(), 7n * PRICE);
      assert.deepEqual((await scheduler.claimNow()).batches, [], 'nothing left');
      assert.equal(
        (await balance(devnet.accounts.payTo.address)) - payToBefore,
        7n * PRICE,
        'the receiver gains exactly the charged sum',
      );
    } finally {
      await scheduler.stop();
    }
  });
});
