/**
 * `x402kit demo --scheme batch-settlement`: one deposit into the escrow, many paid requests without a
 * transaction each (cumulative vouchers checked by the API with no chain I/O), one claim transaction and
 * a sweep to the receiver, then the cooperative refund of the rest; the chain is counted around the
 * vouchers to show that nothing was sent.
 */
import {
  createHttpFacilitatorClient,
  createResourceServer,
  createX402Client,
  formatUnits,
  parseUnits,
} from '@x402kit/core';
import { type Devnet, readTokenBalance } from '@x402kit/devnet';
import {
  BATCH_SETTLEMENT_ADDRESS,
  createBatchSettlementEvmClient,
  createBatchSettlementEvmServer,
  createMemoryChannelStore,
  startClaimScheduler,
} from '@x402kit/evm/batch-settlement';
import { getPaymentResponse, wrapFetchWithPayment } from '@x402kit/http';
import { type Address, createPublicClient, type Hex, http, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ExitCode } from '../../command.js';
import { narrate, type Say, type Stops, serveWeatherApi, showOffers } from './demo-steps.js';
import { startEvmDemoStack } from './evm-demo-stack.js';
import { describeOffer } from './exact-demo.js';

/**
 * What `--price` and `--requests` asked for: `requests` paid requests with no transaction, after the one
 * paid request that opens the channel with the deposit.
 */
export type BatchSettlementDemoOptions = { price: string; requests: number };

type Balances = { payer: bigint; escrow: bigint; receiver: bigint };

/** What the steps share: the chain, the prices and how to read and word balances. */
type Demo = {
  say: Say;
  devnet: Devnet;
  url: string;
  price: bigint;
  /** Paid requests in all: the one that deposits, then the voucher-only ones. */
  requests: number;
  units(atomic: bigint): string;
  balances(): Promise<Balances>;
  show(label: string, b: Balances): void;
};

/**
 * Run the batch-settlement demo: `requests` paid requests at `price` USD each on one channel.
 *
 * @example await runBatchSettlementDemo({ price: '0.001', requests: 100 }, (text) => process.stdout.write(text))
 */
export function runBatchSettlementDemo(
  options: BatchSettlementDemoOptions,
  out: (text: string) => void,
): Promise<number> {
  const title = `x402kit demo: one deposit, ${options.requests} paid API calls with no transaction each, one claim (batch-settlement)`;
  return narrate(out, title, async (say, stops) => {
    const { devnet, facilitatorUrl } = await startEvmDemoStack(say, stops);
    const { payer, payTo } = devnet.accounts;
    const usdc = devnet.token;
    const units = (atomic: bigint) => `${formatUnits(atomic, usdc.decimals)} USDC`;
    const { url, claimNow } = await startPaidApi(say, devnet, facilitatorUrl, options.price, stops);
    const read = (who: Address) => readTokenBalance(devnet.rpcUrl, usdc.address, who);
    const demo: Demo = {
      say,
      devnet,
      url,
      price: parseUnits(options.price, usdc.decimals),
      requests: options.requests + 1,
      units,
      balances: async () => ({
        payer: await read(payer.address as Address),
        escrow: await read(BATCH_SETTLEMENT_ADDRESS),
        receiver: await read(payTo.address as Address),
      }),
      show: (label, b) =>
        say(`${label} payer ${units(b.payer)}, escrow ${units(b.escrow)}, receiver ${units(b.receiver)}`),
    };
    const before = await demo.balances();
    say();
    demo.show('Balances before:', before);
    say();
    await showOffers(say, 4, url, (r) => describeOffer(r, usdc.decimals));

    const deposit = demo.price * BigInt(demo.requests + Math.ceil(demo.requests / 5));
    const client = createBatchSettlementEvmClient({
      signer: privateKeyToAccount(payer.privateKey as Hex),
      depositPolicy: { amount: deposit },
      rpcUrl: devnet.rpcUrl,
    });
    const pay = wrapFetchWithPayment(fetch, createX402Client({ schemes: [{ network: 'eip155:*', client }] }));
    if (!(await openChannel(demo, pay, deposit, before))) return ExitCode.failure;
    if (!(await payVouchers(demo, pay))) return ExitCode.failure;
    const served = await claimAndSweep(demo, claimNow, before);
    if (served === undefined) return ExitCode.failure;

    say('8. Client: cooperative refund of the rest of the channel');
    const refund = await client.refund(url);
    if (!refund.success) {
      say(`   the refund failed: ${refund.errorReason} ${refund.errorMessage ?? ''}`);
      return ExitCode.failure;
    }
    say(`   refunded ${units(BigInt(refund.amount ?? '0'))} in transaction ${refund.transaction}`);
    const final = await demo.balances();
    demo.show('Balances final: ', final);
    say(
      `   payer paid exactly ${units(before.payer - final.payer)} = ${demo.requests} x ${units(demo.price)}`,
    );
    say();
    say('Done: stopping the claim scheduler, the API, the facilitator and the chain.');
    return served ? ExitCode.ok : ExitCode.failure;
  });
}

/** Step 3: the paid API with the batch-settlement server scheme, and its claim scheduler (on demand). */
async function startPaidApi(say: Say, devnet: Devnet, facilitatorUrl: string, price: string, stops: Stops) {
  say('3. Starting a paid API (batch-settlement: vouchers checked locally, channels in memory) ...');
  const facilitator = createHttpFacilitatorClient({ url: facilitatorUrl });
  // in memory: the default SQLite file in the data directory would carry channels of earlier demos
  const scheme = createBatchSettlementEvmServer({ store: createMemoryChannelStore() });
  const resourceServer = createResourceServer({
    facilitators: facilitator,
    schemes: [{ network: 'eip155:*', server: scheme }],
  });
  await resourceServer.initialize();
  const payTo = devnet.accounts.payTo.address;
  const api = await serveWeatherApi(
    resourceServer,
    { scheme: 'batch-settlement', network: devnet.network, payTo, price: `$${price}` },
    stops,
  );
  const scheduler = startClaimScheduler({
    store: scheme.store,
    facilitator,
    network: devnet.network,
    policy: { intervalMs: 3_600_000 },
  });
  stops.push(() => scheduler.stop());
  say(`   GET ${api.url}/weather costs $${price} in USDC, paid to ${payTo}`);
  say(
    `   escrow (x402BatchSettlement) at ${BATCH_SETTLEMENT_ADDRESS}; a claim scheduler, run on demand here`,
  );
  return { url: `${api.url}/weather`, claimNow: () => scheduler.claimNow() };
}

/** Step 5: the first paid request, which deposits; true when it did. */
async function openChannel(demo: Demo, pay: typeof fetch, deposit: bigint, before: Balances) {
  const { say, units } = demo;
  say(`5. Client: paid request 1 opens the channel with a deposit of ${units(deposit)}`);
  const opened = await paidRequest(pay, demo.url);
  if (!opened.ok || !/^0x[0-9a-f]{64}$/.test(opened.transaction)) {
    say(`   the opening request failed: ${opened.detail}`);
    return false;
  }
  say(`   the API answered 200; ONE deposit transaction, relayed by the facilitator: ${opened.transaction}`);
  const escrow = (await demo.balances()).escrow - before.escrow;
  say(
    `   the escrow holds ${units(escrow)} for the channel; charged so far ${units(BigInt(opened.charged))}`,
  );
  return true;
}

/** Step 6: the other paid requests, vouchers only, with the chain counted around them; true when all paid. */
async function payVouchers(demo: Demo, pay: typeof fetch): Promise<boolean> {
  const { say, units, devnet } = demo;
  const rest = demo.requests - 1;
  say(
    `6. Client: ${rest} more paid requests, each a cumulative voucher signed off-chain, no transaction ...`,
  );
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) }) as PublicClient;
  const count = async () => ({
    block: await chain.getBlockNumber(),
    payer: await chain.getTransactionCount({ address: devnet.accounts.payer.address as Address }),
    relayer: await chain.getTransactionCount({ address: devnet.accounts.facilitator.address as Address }),
  });
  const start = await count();
  const t0 = performance.now();
  for (let i = 2; i <= demo.requests; i++) {
    const answer = await paidRequest(pay, demo.url);
    if (!answer.ok || answer.transaction !== '') {
      say(`   request ${i} failed: ${answer.detail}`);
      return false;
    }
    if (i === demo.requests || i % 25 === 0)
      say(
        `   request ${i}: 200, PAYMENT-RESPONSE transaction "" (a voucher), charged so far ${units(BigInt(answer.charged))}`,
      );
  }
  const seconds = (performance.now() - t0) / 1000;
  const end = await count();
  const events =
    end.block > start.block
      ? await chain.getLogs({
          address: BATCH_SETTLEMENT_ADDRESS,
          fromBlock: start.block + 1n,
          toBlock: end.block,
        })
      : [];
  say(`   ${rest} paid requests in ${seconds.toFixed(2)} s (${(rest / seconds).toFixed(0)} per second)`);
  say(
    `   chain during them: block ${start.block} -> ${end.block}, transactions sent: ${end.block - start.block},` +
      ` payer nonce ${start.payer} -> ${end.payer}, facilitator nonce ${start.relayer} -> ${end.relayer},` +
      ` escrow events: ${events.length}`,
  );
  demo.show('   balances unchanged:', await demo.balances());
  return true;
}

/**
 * Step 7: one claim transaction and the sweep, then the balances with the arithmetic. Whether the
 * receiver got exactly `requests x price`, or undefined when the claim failed.
 */
async function claimAndSweep(
  demo: Demo,
  claimNow: () => ReturnType<ReturnType<typeof startClaimScheduler>['claimNow']>,
  before: Balances,
): Promise<boolean | undefined> {
  const { say, units } = demo;
  say('7. Server: claim every voucher in ONE transaction, then sweep to the receiver');
  const run = await claimNow();
  if (run.failures.length > 0 || run.claimTransactions.length !== 1) {
    say(`   the claim failed: ${run.failures.join('; ')}`);
    return undefined;
  }
  say(`   claim of ${run.batches.join('+')} channel(s) in transaction ${run.claimTransactions[0]}`);
  const swept = BigInt(Object.values(run.swept)[0] ?? '0');
  say(`   sweep of ${units(swept)} to the receiver in transaction ${run.sweepTransactions[0]}`);
  const after = await demo.balances();
  const served = demo.price * BigInt(demo.requests);
  const got = after.receiver - before.receiver;
  say();
  demo.show('Balances after: ', after);
  say(
    `   receiver ${units(before.receiver)} + ${demo.requests} x ${units(demo.price)} = ${units(before.receiver + served)}` +
      (got === served ? ' (exact)' : ` (MISMATCH: got +${units(got)})`),
  );
  say(
    `   payer -${units(before.payer - after.payer)} (the deposit); the escrow keeps ${units(after.escrow - before.escrow)} not charged`,
  );
  say(
    `   transactions in all: 1 deposit + ${run.claimTransactions.length} claim + ${run.sweepTransactions.length} sweep for ${demo.requests} paid requests`,
  );
  say();
  return got === served;
}

/** One paid `GET url`: whether it answered 200, its settlement's transaction and the charged total. */
async function paidRequest(
  pay: typeof fetch,
  url: string,
): Promise<{ ok: boolean; transaction: string; charged: string; detail: string }> {
  const res = await pay(url);
  const body = await res.text();
  const settlement = getPaymentResponse(res);
  const state = (settlement?.extra as { channelState?: { chargedCumulativeAmount?: string } } | undefined)
    ?.channelState;
  return {
    ok: res.status === 200 && settlement?.success === true,
    transaction: settlement?.transaction ?? '',
    charged: state?.chargedCumulativeAmount ?? '0',
    detail: `${res.status} ${body} ${JSON.stringify(settlement)}`,
  };
}
