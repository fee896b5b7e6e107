/**
 * Interop of OUR `batch-settlement` resource server (our Express middleware + createBatchSettlementEvmServer)
 * backed by OUR facilitator, paid by the OFFICIAL client (`@x402/evm/batch-settlement/client` +
 * `@x402/fetch`) on the devnet: one deposit, ten vouchers without a transaction, one claim and a sweep by
 * our claim scheduler, and the official client's cooperative refund; every token balance checked to the
 * unit. The receiver authorizer is the one our facilitator advertises in `/supported` (it signs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { x402Client } from '@x402/core/client';
import { toClientEvmSigner } from '@x402/evm';
import { BatchSettlementEvmScheme as OfficialBatchClient } from '@x402/evm/batch-settlement/client';
import { wrapFetchWithPayment } from '@x402/fetch';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  decodePaymentResponseHeader,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import {
  BATCH_SETTLEMENT_ADDRESS,
  type BatchSettlementEvmServer,
  createBatchSettlementEvmServer,
  startClaimScheduler,
} from '@x402kit/evm/batch-settlement';
import { paymentMiddleware } from '@x402kit/http/express';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import { startOurFacilitator } from '@x402kit/testing/ours';
import express from 'express';
import { createPublicClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const PRICE = 1000n; // $0.001 of the devnet's 6-decimal USDC

let devnet: Devnet;
let facilitator: Running;
let server: Running;
let scheme: BatchSettlementEvmServer;
let url: string;
let handlerRuns = 0;

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);
const balances = async () => ({
  payer: await balance(devnet.accounts.payer.address),
  payTo: await balance(devnet.accounts.payTo.address),
  escrow: await balance(BATCH_SETTLEMENT_ADDRESS),
});

function officialClient(): { client: OfficialBatchClient; pay: typeof fetch } {
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
  const signer = toClientEvmSigner(privateKeyToAccount(devnet.accounts.payer.privateKey as Hex), chain);
  const client = new OfficialBatchClient(signer, {
    depositPolicy: { depositMultiplier: 20 },
    rpcUrl: devnet.rpcUrl,
  });
  const x402 = new x402Client().register(devnet.network as `${string}:${string}`, client);
  return { client, pay: wrapFetchWithPayment(fetch, x402) as typeof fetch };
}

async function paidOnce(pay: typeof fetch) {
  const res = await pay(url);
  const body = await res.text();
  assert.equal(res.status, 200, `${body} ${res.headers.get('payment-required') ?? ''}`);
  assert.deepEqual(JSON.parse(body), { report: { weather: 'sunny' } });
  const header = res.headers.get('payment-response');
  assert.ok(header, 'PAYMENT-RESPONSE');
  const settlement = decodePaymentResponseHeader(header);
  assert.equal(settlement.success, true, JSON.stringify(settlement));
  return settlement as typeof settlement & {
    extra: { chargedAmount?: string; channelState: Record<string, unknown> };
  };
}

describe('official batch-settlement client -> our server + our facilitator (devnet)', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
    });
    scheme = createBatchSettlementEvmServer();
    const resourceServer = createResourceServer({
      facilitators: createHttpFacilitatorClient({ url: facilitator.url }),
      schemes: [{ network: 'eip155:*', server: scheme }],
    });
    await resourceServer.initialize();
    const app = express();
    const accepts = {
      scheme: 'batch-settlement',
      network: devnet.network,
      payTo: devnet.accounts.payTo.address,
      price: '$0.001',
    };
    app.use(paymentMiddleware({ 'GET /weather': { accepts, description: 'weather' } }, resourceServer));
    app.get('/weather', (_req, res) => {
      handlerRuns++;
      res.json({ report: { weather: 'sunny' } });
    });
    const listening = await listenLocal(app);
    server = { url: listening.url, close: listening.close };
    url = `${server.url}/weather`;
  });
  after(async () => {
    await server?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('deposit, ten vouchers without a transaction, one claim and a sweep, then a refund: balances to the unit', async () => {
    const start = await balances();
    const { client, pay } = officialClient();

    const deposit = await paidOnce(pay);
    assert.match(deposit.transaction, /^0x[0-9a-f]{64}$/);
    const deposited = BigInt(deposit.amount ?? '0');
    assert.equal(deposited, 20n * PRICE);
    assert.equal(deposit.extra.chargedAmount, PRICE.toString());
    assert.equal(deposit.extra.channelState.chargedCumulativeAmount, PRICE.toString());
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    assert.equal((await chain.getTransactionReceipt({ hash: deposit.transaction as Hex })).status, 'success');
    const afterDeposit = await balances();
    assert.equal(afterDeposit.payer, start.payer - deposited);
    assert.equal(afterDeposit.escrow, start.escrow + deposited);

    for (let i = 2; i <= 11; i++) {
      const voucher = await paidOnce(pay);
      assert.equal(voucher.transaction, '', 'a voucher moves no tokens');
      assert.equal(voucher.amount, '');
      assert.equal(voucher.extra.chargedAmount, PRICE.toString());
      assert.equal(voucher.extra.channelState.chargedCumulativeAmount, (BigInt(i) * PRICE).toString());
    }
    assert.deepEqual(await balances(), afterDeposit, 'ten vouchers, no transfer');
    assert.equal(handlerRuns, 11);
    const [channel] = await scheme.store.list();
    assert.equal(channel?.chargedCumulativeAmount, (11n * PRICE).toString());

    // our scheduler claims the channel's latest voucher in one transaction and sweeps it to payTo
    const scheduler = startClaimScheduler({
      store: scheme.store,
      facilitator: createHttpFacilitatorClient({ url: facilitator.url }),
      network: devnet.network,
      policy: { intervalMs: 3_600_000 },
    });
    const run = await scheduler.claimNow();
    await scheduler.stop();
    assert.deepEqual(run.failures, []);
    assert.deepEqual(run.batches, [1]);
    assert.equal(run.sweepTransactions.length, 1);
    const swept = await balances();
    assert.equal(swept.payTo, start.payTo + 11n * PRICE);
    assert.equal(swept.escrow, start.escrow + deposited - 11n * PRICE);
    assert.equal((await scheme.store.list())[0]?.totalClaimed, (11n * PRICE).toString());

    // the official client's cooperative refund: the handler does not run, the rest returns to the payer
    const refund = await client.refund(url);
    assert.equal(refund.success, true, JSON.stringify(refund));
    assert.equal(refund.amount, (deposited - 11n * PRICE).toString());
    assert.equal(handlerRuns, 11);
    const refunded = await balances();
    assert.equal(refunded.payer, start.payer - 11n * PRICE);
    assert.equal(refunded.escrow, start.escrow);
    assert.equal(refunded.payTo, start.payTo + 11n * PRICE);
    assert.deepEqual(await scheme.store.list(), [], 'a full refund forgets the channel');
  });
});
