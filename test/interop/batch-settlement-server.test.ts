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
  decodePaymentRequiredHeader,
  decodePaymentSignatureHeader,
  encodePaymentSignatureHeader,
  type PaymentPayload,
  type PaymentRequirements,
  X402Error,
} from '@x402kit/core';
import type { Devnet } from '@x402kit/devnet';
import {
  type BatchSettlementEvmServer,
  batchSettlementDomain,
  type ClaimPolicy,
  channelMetrics,
  createBatchSettlementEvmServer,
  createBatchSettlementReconciler,
  createMemoryChannelStore,
  startClaimScheduler,
  voucherTypes,
} from '@x402kit/evm/batch-settlement';
import { createEvmFacilitator, identifyEvmPayment } from '@x402kit/evm/chain-module';
import {
  createFacilitatorService,
  createLedgerHooks,
  createSqliteLedger,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { createPaymentHandler } from '@x402kit/http';
import {
  batchBalances,
  claimOnce,
  paidDeposit,
  paidSunny,
  SUNNY,
  serveOurBatchServer,
} from '@x402kit/testing/batch-settlement-servers';
import type { Running } from '@x402kit/testing/listen';
import { hookDevnetWithOurFacilitator } from '@x402kit/testing/ours';
import { createPublicClient, type Hex, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

const PRICE = 1000n; // $0.001 of the devnet's 6-decimal USDC

let devnet: Devnet;
let facilitator: Running;
let server: Running;
let scheme: BatchSettlementEvmServer;
let url: string;
let weatherRuns = 0;
let flakyRuns = 0;

const balances = () => batchBalances(devnet);

function officialClient(
  salt?: Hex,
  depositMultiplier = 20,
): { client: OfficialBatchClient; pay: typeof fetch } {
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
  const signer = toClientEvmSigner(privateKeyToAccount(devnet.accounts.payer.privateKey as Hex), chain);
  const client = new OfficialBatchClient(signer, {
    depositPolicy: { depositMultiplier },
    rpcUrl: devnet.rpcUrl,
    ...(salt ? { salt } : {}),
  });
  const x402 = new x402Client().register(devnet.network as `${string}:${string}`, client);
  return { client, pay: wrapFetchWithPayment(fetch, x402) as typeof fetch };
}

const salt = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;

/** A claim scheduler over `store` through our facilitator (manual unless `policy` says otherwise). */
function schedulerOver(
  store: BatchSettlementEvmServer['store'],
  extra: { receiverAuthorizer?: ReturnType<typeof privateKeyToAccount>; policy?: ClaimPolicy } = {},
) {
  return startClaimScheduler({
    store,
    facilitator: createHttpFacilitatorClient({ url: facilitator.url }),
    network: devnet.network,
    ...(extra.receiverAuthorizer ? { receiverAuthorizer: extra.receiverAuthorizer } : {}),
    policy: extra.policy ?? { intervalMs: 3_600_000 },
  });
}

/** One claim run of our scheduler over `store` (see {@link claimOnce}): nothing failed. */
function claimOnceOver(
  store: BatchSettlementEvmServer['store'],
  extra: { receiverAuthorizer?: ReturnType<typeof privateKeyToAccount> } = {},
) {
  return claimOnce({
    store,
    facilitator: createHttpFacilitatorClient({ url: facilitator.url }),
    network: devnet.network,
    ...(extra.receiverAuthorizer ? { receiverAuthorizer: extra.receiverAuthorizer } : {}),
  });
}

/** Our middleware (Express unless `framework` says Hono) paid with `scheme`: `/weather`, and `/flaky` (its first call fails). */
function serveScheme(scheme: BatchSettlementEvmServer, framework?: 'express' | 'hono'): Promise<Running> {
  return serveOurBatchServer({
    scheme,
    devnet,
    facilitatorUrl: facilitator.url,
    ...(framework ? { framework } : {}),
    routes: {
      '/weather': () => {
        weatherRuns++;
        return SUNNY;
      },
      '/flaky': () => {
        flakyRuns++;
        return flakyRuns === 1 ? { status: 500, body: { error: 'first call fails' } } : SUNNY;
      },
    },
  });
}

hookDevnetWithOurFacilitator((started) => ({ devnet, facilitator } = started));

describe('official batch-settlement client -> our server + our facilitator (devnet)', () => {
  before(async () => {
    scheme = createBatchSettlementEvmServer({ store: createMemoryChannelStore() });
    server = await serveScheme(scheme);
    url = `${server.url}/weather`;
  });
  after(async () => {
    await server?.close();
  });

  it('deposit, ten vouchers without a transaction, one claim and a sweep, then a refund: balances to the unit', async () => {
    const { client, pay } = officialClient();
    const { deposit, deposited, start, afterDeposit } = await paidDeposit(devnet, pay, url);
    assert.equal(deposited, 20n * PRICE);
    assert.equal(deposit.extra.chargedAmount, PRICE.toString());
    assert.equal(deposit.extra.channelState.chargedCumulativeAmount, PRICE.toString());

    for (let i = 2; i <= 11; i++) {
      const voucher = await paidSunny(pay, url);
      assert.equal(voucher.transaction, '', 'a voucher moves no tokens');
      assert.equal(voucher.amount, '');
      assert.equal(voucher.extra.chargedAmount, PRICE.toString());
      assert.equal(voucher.extra.channelState.chargedCumulativeAmount, (BigInt(i) * PRICE).toString());
    }
    assert.deepEqual(await balances(), afterDeposit, 'ten vouchers, no transfer');
    assert.equal(weatherRuns, 11);
    const [channel] = await scheme.store.list();
    assert.equal(channel?.chargedCumulativeAmount, (11n * PRICE).toString());

    // our scheduler claims the channel's latest voucher in one transaction and sweeps it to payTo
    const run = await claimOnceOver(scheme.store);
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
    assert.equal(weatherRuns, 11);
    const refunded = await balances();
    assert.equal(refunded.payer, start.payer - 11n * PRICE);
    assert.equal(refunded.escrow, start.escrow);
    assert.equal(refunded.payTo, start.payTo + 11n * PRICE);
    assert.deepEqual(await scheme.store.list(), [], 'a full refund forgets the channel');
  });
});

describe('official batch-settlement client -> our Hono middleware + our facilitator (devnet)', () => {
  it('deposit, five vouchers without a transaction, one claim and a sweep: balances to the unit', async () => {
    const hono = createBatchSettlementEvmServer({ store: createMemoryChannelStore() });
    const listening = await serveScheme(hono, 'hono');
    try {
      const target = `${listening.url}/weather`;
      const start = await balances();
      const { pay } = officialClient(salt(60));
      const deposit = await paidSunny(pay, target);
      assert.match(deposit.transaction, /^0x[0-9a-f]{64}$/);
      const deposited = BigInt(deposit.amount ?? '0');
      assert.equal(deposited, 20n * PRICE);
      const afterDeposit = await balances();
      assert.equal(afterDeposit.escrow, start.escrow + deposited);
      for (let i = 2; i <= 6; i++) {
        const voucher = await paidSunny(pay, target);
        assert.equal(voucher.transaction, '', 'a voucher moves no tokens');
        assert.equal(voucher.extra.channelState.chargedCumulativeAmount, (BigInt(i) * PRICE).toString());
      }
      assert.deepEqual(await balances(), afterDeposit, 'five vouchers, no transfer');
      const run = await claimOnceOver(hono.store);
      assert.deepEqual(run.batches, [1]);
      const swept = await balances();
      assert.equal(swept.payTo, start.payTo + 6n * PRICE);
      assert.equal(swept.escrow, start.escrow + deposited - 6n * PRICE);
      assert.equal(swept.payer, start.payer - deposited);
    } finally {
      await listening.close();
    }
  });
});

describe('our batch-settlement server over HTTP (devnet, our facilitator, the server signs as receiver authorizer)', () => {
  const authorizer = privateKeyToAccount(generatePrivateKey());
  let own: BatchSettlementEvmServer;
  let base: string;
  let close: () => Promise<void>;

  before(async () => {
    own = createBatchSettlementEvmServer({
      receiverAuthorizer: authorizer,
      store: createMemoryChannelStore(),
    });
    const listening = await serveScheme(own);
    base = listening.url;
    close = listening.close;
  });
  after(async () => {
    await close?.();
  });

  /** The offer of a route, and a signed header of the client's next voucher on it (not sent). */
  async function nextVoucherHeader(client: OfficialBatchClient, path: string) {
    const required = decodePaymentRequiredHeader(
      (await fetch(`${base}${path}`)).headers.get('payment-required') ?? '',
    );
    const accepted = required.accepts[0] as PaymentRequirements;
    const { payload } = await client.createPaymentPayload(2, accepted as never);
    return { accepted, header: encodePaymentSignatureHeader({ x402Version: 2, accepted, payload } as never) };
  }
  /** The payment of `header` with a fresh voucher signed over `max` (a client that lost track of charges). */
  async function staleVoucherHeader(header: string, channelId: Hex, max: bigint): Promise<string> {
    const payment = decodePaymentSignatureHeader(header);
    const payer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
    const chainId = Number(devnet.network.split(':')[1]);
    const signature = await payer.signTypedData({
      domain: batchSettlementDomain(chainId),
      types: voucherTypes,
      primaryType: 'Voucher',
      message: { channelId, maxClaimableAmount: max },
    });
    const voucher = { channelId, maxClaimableAmount: max.toString(), signature };
    return encodePaymentSignatureHeader({ ...payment, payload: { ...payment.payload, voucher } });
  }
  const chargedOf = async (id: string) => (await own.store.get(id as Hex))?.chargedCumulativeAmount;

  it('20 concurrent requests with the same voucher: one handler run, one charge; the replay gets the corrective 402', async () => {
    const { client, pay } = officialClient(salt(1));
    await paidSunny(pay, `${base}/weather`);
    const { header } = await nextVoucherHeader(client, '/weather');
    const runs = weatherRuns;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${base}/weather`, { headers: { 'PAYMENT-SIGNATURE': header } }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(','));
    for (const a of answers.filter((x) => x.status !== 200)) {
      assert.equal(a.status, 402);
      const error = decodePaymentRequiredHeader(a.headers.get('payment-required') ?? '').error;
      // x402kit's replay guard may answer a copy of a payment in flight before the scheme sees it
      assert.ok(
        error === 'invalid_batch_settlement_evm_channel_busy' ||
          error === 'invalid_batch_settlement_evm_cumulative_amount_mismatch' ||
          error === 'duplicate_settlement',
        error,
      );
    }
    assert.equal(weatherRuns, runs + 1);
    const [channel] = await own.store.list();
    assert.ok(channel);
    assert.equal(channel.chargedCumulativeAmount, (2n * PRICE).toString());

    // (the very same header again is a replay, refused before the scheme; a voucher on a stale base is not)
    const stale = await staleVoucherHeader(header, channel.channelId, PRICE);
    const replay = await fetch(`${base}/weather`, { headers: { 'PAYMENT-SIGNATURE': stale } });
    assert.equal(replay.status, 402);
    const corrective = decodePaymentRequiredHeader(replay.headers.get('payment-required') ?? '');
    assert.equal(corrective.error, 'invalid_batch_settlement_evm_cumulative_amount_mismatch');
    const extra = (corrective.accepts[0] as PaymentRequirements).extra as Record<string, unknown>;
    assert.deepEqual(Object.keys(extra).sort(), [
      'channelState',
      'name',
      'receiverAuthorizer',
      'version',
      'voucherState',
      'withdrawDelay',
    ]);
    assert.deepEqual(extra.channelState, {
      channelId: channel.channelId,
      balance: (20n * PRICE).toString(),
      totalClaimed: '0',
      withdrawRequestedAt: 0,
      refundNonce: '0',
      chargedCumulativeAmount: (2n * PRICE).toString(),
    });
    assert.deepEqual(extra.voucherState, {
      signedMaxClaimable: channel.signedMaxClaimable,
      signature: channel.signature,
    });
    assert.equal(extra.receiverAuthorizer, authorizer.address);
  });

  it('50 sequential paid requests charge exactly 50 x price', async () => {
    const { pay } = officialClient(salt(2), 60);
    let last: Awaited<ReturnType<typeof paidSunny>> | undefined;
    for (let i = 0; i < 50; i++) last = await paidSunny(pay, `${base}/weather`);
    const id = last?.extra.channelState.channelId as string;
    assert.equal(await chargedOf(id), (50n * PRICE).toString());
  });

  it('a handler that failed leaves the channel as it was: the same voucher is accepted again', async () => {
    const { client, pay } = officialClient(salt(3));
    const deposit = await paidSunny(pay, `${base}/weather`);
    const id = deposit.extra.channelState.channelId as string;
    const { header } = await nextVoucherHeader(client, '/flaky');
    const failed = await fetch(`${base}/flaky`, { headers: { 'PAYMENT-SIGNATURE': header } });
    assert.equal(failed.status, 500);
    assert.equal(await chargedOf(id), PRICE.toString());
    const retried = await fetch(`${base}/flaky`, { headers: { 'PAYMENT-SIGNATURE': header } });
    assert.equal(retried.status, 200, await retried.text());
    assert.equal(await chargedOf(id), (2n * PRICE).toString());
    assert.equal(flakyRuns, 2);
  });

  it('one claim transaction covers 10+ channels and the sweep moves exactly what was charged; then a refund', async () => {
    const clients = Array.from({ length: 8 }, (_, i) => officialClient(salt(10 + i)));
    for (const { pay } of clients) {
      await paidSunny(pay, `${base}/weather`);
      await paidSunny(pay, `${base}/weather`);
    }
    const channels = await own.store.list();
    assert.ok(channels.length >= 10, `${channels.length} channels`);
    const unclaimed = channels.reduce(
      (sum, c) => sum + BigInt(c.chargedCumulativeAmount) - BigInt(c.totalClaimed),
      0n,
    );
    const before = await balances();
    const scheduler = schedulerOver(own.store, { receiverAuthorizer: authorizer });
    const run = await scheduler.claimNow();
    await scheduler.stop();
    assert.deepEqual(run.failures, []);
    assert.deepEqual(run.batches, [channels.length], 'every channel in one claim');
    assert.equal(run.claimTransactions.length, 1);
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const receipt = await chain.getTransactionReceipt({ hash: run.claimTransactions[0] as Hex });
    assert.equal(receipt.status, 'success');
    const swept = await balances();
    assert.equal(swept.payTo, before.payTo + unclaimed);
    assert.equal(swept.escrow, before.escrow - unclaimed);
    const metrics = await channelMetrics(own.store, scheduler).read();
    assert.deepEqual(metrics, {
      openChannels: channels.length,
      unclaimedValue: 0n,
      lastClaimBatchSize: channels.length,
      claimBatches: 1,
    });

    // a refund signed by the server's own key returns the uncharged rest of one channel
    const { client } = clients[0] as (typeof clients)[number];
    const refund = await client.refund(`${base}/weather`);
    assert.equal(refund.success, true, JSON.stringify(refund));
    assert.equal(refund.amount, (18n * PRICE).toString());
    const refunded = await balances();
    assert.equal(refunded.payer, swept.payer + 18n * PRICE);
    assert.equal(refunded.escrow, swept.escrow - 18n * PRICE);
    assert.equal((await own.store.list()).length, channels.length - 1);
  });
  it('a claim in flight while vouchers keep coming: nothing lost, nothing counted twice', async () => {
    const { pay } = officialClient(salt(40), 60);
    const first = await paidSunny(pay, `${base}/weather`);
    const id = first.extra.channelState.channelId as Hex;
    const before = await balances();
    const scheduler = schedulerOver(own.store, { receiverAuthorizer: authorizer });
    // the claim reads the store, then five more vouchers commit while its transaction is out
    const [run] = await Promise.all([
      scheduler.claimNow(),
      (async () => {
        for (let i = 0; i < 5; i++) await paidSunny(pay, `${base}/weather`);
      })(),
    ]);
    assert.deepEqual(run.failures, []);
    const mid = await own.store.get(id);
    assert.equal(mid?.chargedCumulativeAmount, (6n * PRICE).toString());
    assert.ok(BigInt(mid?.totalClaimed ?? '0') <= 6n * PRICE);
    await scheduler.claimNow();
    await scheduler.stop();
    assert.equal((await own.store.get(id))?.totalClaimed, (6n * PRICE).toString());
    const after = await balances();
    assert.equal(after.payTo, before.payTo + 6n * PRICE, 'every charge reaches payTo exactly once');
  });

  it('the policy claims by itself once the unclaimed value reaches maxUnclaimed', async () => {
    const { pay } = officialClient(salt(41));
    const scheduler = schedulerOver(own.store, {
      receiverAuthorizer: authorizer,
      policy: { intervalMs: 50, maxUnclaimed: 3n * PRICE, maxAgeMs: 3_600_000 },
    });
    try {
      const first = await paidSunny(pay, `${base}/weather`);
      const id = first.extra.channelState.channelId as Hex;
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await own.store.get(id))?.totalClaimed, '0', 'below the threshold: no claim');
      await paidSunny(pay, `${base}/weather`);
      await paidSunny(pay, `${base}/weather`);
      const deadline = Date.now() + 10_000;
      while (scheduler.batchSizes.length === 0) {
        assert.ok(Date.now() < deadline, 'the scheduler claimed within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(scheduler.batchSizes, [1]);
      assert.equal((await own.store.get(id))?.totalClaimed, (3n * PRICE).toString());
    } finally {
      await scheduler.stop();
    }
  });
  it('server state loss: a new instance with an empty store resumes a claimed channel from totalClaimed', async () => {
    const { pay } = officialClient(salt(42));
    await paidSunny(pay, `${base}/weather`);
    const second = await paidSunny(pay, `${base}/weather`);
    const id = second.extra.channelState.channelId as Hex;
    const scheduler = schedulerOver(own.store, { receiverAuthorizer: authorizer });
    await scheduler.claimNow();
    await scheduler.stop();
    const fresh = createBatchSettlementEvmServer({
      receiverAuthorizer: authorizer,
      store: createMemoryChannelStore(),
    });
    const restarted = await serveScheme(fresh);
    try {
      const resumed = await paidSunny(pay, `${restarted.url}/weather`);
      assert.equal(resumed.transaction, '');
      assert.equal(resumed.extra.channelState.chargedCumulativeAmount, (3n * PRICE).toString());
      const channel = await fresh.store.get(id);
      assert.equal(channel?.chargedCumulativeAmount, (3n * PRICE).toString());
      assert.equal(channel?.totalClaimed, (2n * PRICE).toString(), 'the baseline came from the escrow');
    } finally {
      await restarted.close();
    }
  });
});

describe('a deposit not mined in time keeps its reservation and settles on the retry (devnet)', () => {
  it('settlement_pending holds the channel; the same attempt commits once the block lands', async () => {
    const rpc = async (method: string, params: unknown[] = []) => {
      const res = await fetch(devnet.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      });
      const body = (await res.json()) as { error?: unknown };
      assert.equal(body.error, undefined, `${method}: ${JSON.stringify(body.error)}`);
    };
    const relayer = generatePrivateKey();
    await rpc('anvil_setBalance', [privateKeyToAccount(relayer).address, '0x56BC75E2D63100000']);
    const network = devnet.network;
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const engine = createEvmFacilitator({
      rpc: { [network]: devnet.rpcUrl },
      privateKeys: [relayer],
      batchSettlement: { receiptTimeoutMs: 200 },
      hooks: createLedgerHooks({
        ledger,
        identify: identifyEvmPayment,
        instanceId: 'bs-pending',
        reconcile: createBatchSettlementReconciler({ rpc: { [network]: devnet.rpcUrl } }),
      }),
    });
    const service = await startFacilitatorServer({
      service: createFacilitatorService({ facilitator: engine }),
      port: 0,
    });
    try {
      const http402 = createHttpFacilitatorClient({ url: service.url });
      const supportedKind = (await http402.supported()).kinds.find((k) => k.scheme === 'batch-settlement');
      const pend = createBatchSettlementEvmServer({ store: createMemoryChannelStore() });
      const parsed = await pend.parsePrice('$0.001', network);
      const requirements = pend.enhanceRequirements?.(
        {
          scheme: 'batch-settlement',
          network,
          amount: parsed.amount.toString(),
          asset: parsed.asset,
          payTo: devnet.accounts.payTo.address,
          maxTimeoutSeconds: 60,
          extra: parsed.extra ?? {},
        },
        { ...(supportedKind ? { supportedKind } : {}), facilitatorExtensions: [] },
      ) as PaymentRequirements;
      const { client } = officialClient(salt(50));
      const { payload } = await client.createPaymentPayload(2, requirements as never);
      const payment = { x402Version: 2 as const, accepted: requirements, payload };
      const ctx = (attempt: string) => ({
        attempt,
        facilitator: {
          verify: (p: PaymentPayload, r: PaymentRequirements) => http402.verify(p, r, { attempt }),
          settle: (p: PaymentPayload, r: PaymentRequirements) => http402.settle(p, r, { attempt }),
        },
      });
      assert.equal(
        (await pend.session.verify(payment, requirements, ctx('deposit-attempt-1'))).isValid,
        true,
      );
      await rpc('evm_setAutomine', [false]);
      let pending: Awaited<ReturnType<typeof pend.session.settle>>;
      try {
        pending = await pend.session.settle(payment, requirements, ctx('deposit-attempt-1'));
        assert.equal(pending.success, false);
        assert.equal(pending.errorReason, 'settlement_pending', JSON.stringify(pending));
        const other = await pend.session.verify(payment, requirements, ctx('deposit-attempt-2'));
        assert.equal(
          other.invalidReason,
          'invalid_batch_settlement_evm_channel_busy',
          'the reservation is kept',
        );
        await rpc('evm_mine');
      } finally {
        await rpc('evm_setAutomine', [true]);
      }
      const settled = await pend.session.settle(payment, requirements, ctx('deposit-attempt-1'));
      assert.equal(settled.success, true, JSON.stringify(settled));
      assert.equal(settled.transaction, pending.transaction);
      const [channel] = await pend.store.list();
      assert.equal(channel?.chargedCumulativeAmount, PRICE.toString());
      assert.equal(channel?.balance, (20n * PRICE).toString());
    } finally {
      await service.close();
      engine.close();
      await ledger.close();
    }
  });
});

describe('a batch-settlement route settles after the response', () => {
  it("createPaymentHandler refuses settle: 'before-handler' or extra.paymentFlow 'upfront' on it, naming the route", () => {
    // the settle-first flow does not verify, and only the session's verify can tell that a refund
    // answers in place of the handler: on such a route a refund would run the paid handler for free
    const server = createResourceServer({
      facilitators: createHttpFacilitatorClient({ url: 'http://127.0.0.1:9' }),
      schemes: [
        {
          network: 'eip155:*',
          server: createBatchSettlementEvmServer({ store: createMemoryChannelStore() }),
        },
      ],
    });
    const accepts = {
      scheme: 'batch-settlement',
      network: 'eip155:84532',
      payTo: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
      price: '$0.001',
    };
    for (const route of [
      { accepts, settle: 'before-handler' as const },
      { accepts: { ...accepts, extra: { paymentFlow: 'upfront' } } },
    ]) {
      assert.throws(
        () => createPaymentHandler({ server, routes: { 'GET /weather': route } }),
        (error: unknown) =>
          error instanceof X402Error &&
          error.reason === 'invalid_route_config' &&
          error.message.includes('route "GET /weather"') &&
          error.message.includes('must settle after the response'),
      );
    }
    assert.doesNotThrow(() => createPaymentHandler({ server, routes: { 'GET /weather': { accepts } } }));
  });
});
