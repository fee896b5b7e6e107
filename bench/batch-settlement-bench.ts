/**
 * The `batch-settlement` section of `npm run bench` (`npm run bench -- batch` runs it alone), ours
 * against the official `@x402/evm` 2.27 stack in the same run, on one devnet (see
 * `batch-settlement-stacks.ts`): paid requests per second on one channel (one client, sequential) and on
 * 100 channels (100 clients at once), gas per paid request (deposit + claim + sweep from the receipts,
 * divided by the requests served; and one `exact` settle's gas, one transfer per request), the server's
 * scheme work per voucher (verify + settle in-process, no HTTP), and the chain calls and blocks during
 * the voucher phases (counted at each stack's RPC proxy). Each timed phase is cut into rounds that ours
 * and the official take in turns, so the shared machine's load falls on both alike.
 */
import { type Devnet, devnetAccount, startDevnet } from '@x402kit/devnet';
import { getPaymentResponse } from '@x402kit/http';
import { ourFetch, startOurFacilitator, startOurServer } from '@x402kit/testing/ours';
import { createPublicClient, type Hex, http } from 'viem';
import { signVouchers, timeRecovery, timeVouchers } from './batch-settlement-scheme-work.js';
import { type BatchStack, startOfficialBatchStack, startOurBatchStack } from './batch-settlement-stacks.js';
import { type BatchBenchRow, rowsOf, type StackFigures, tableOf } from './batch-settlement-table.js';
import { percentile } from './load.js';

export type BatchBenchOptions = {
  log?: (line: string) => void;
  /** Paid requests on the one channel (the gas row divides by it); default 1000. */
  oneChannel?: number;
  /** Channels (clients) at once; default 100. */
  channels?: number;
  /** Paid vouchers per channel in the many-channel phase (after its opening request); default 10. */
  perChannel?: number;
  /** In-process verify + settle timings per stack; default 500 (the first 50 warm up). */
  schemeWork?: number;
};

/** How many requests, channels and timings a run makes. */
export type Sizes = Required<Omit<BatchBenchOptions, 'log'>>;

/** A stack and the key that pays it. */
type Side = { stack: BatchStack; key: Hex };

const PRICE = 1000n; // $0.001 of the devnet's 6-decimal USDC
/** Rounds each timed phase is cut into, ours and the official taking turns (the machine's load moves). */
const ROUNDS = 4;

/**
 * Run the batch-settlement bench on its own devnet.
 *
 * @example
 * const { table } = await runBatchSettlementBench({ log: console.error })
 */
export async function runBatchSettlementBench(
  options: BatchBenchOptions = {},
): Promise<{ rows: BatchBenchRow[]; table: string }> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const { log: _, ...sizes } = options;
  const o: Sizes = { oneChannel: 1000, channels: 100, perChannel: 10, schemeWork: 500, ...sizes };
  // one deposit covers the one channel's run and its in-process vouchers
  const deposit = o.oneChannel + o.schemeWork + 100;
  const devnet = await startDevnet({ port: 0, extraPayers: 1, fundPayerWith: 100_000_000_000n });
  const stacks: BatchStack[] = [];
  try {
    stacks.push(await startOurBatchStack(devnet, PRICE));
    stacks.push(await startOfficialBatchStack(devnet, PRICE, devnetAccount(5).privateKey as Hex, deposit));
    const sides: Side[] = [
      { stack: stacks[0] as BatchStack, key: devnet.accounts.payer.privateKey as Hex },
      { stack: stacks[1] as BatchStack, key: devnet.extraPayers[0]?.privateKey as Hex },
    ];
    // a first claim and sweep on a fresh chain pay for storage nobody wrote yet (the receiver's token
    // balance, the escrow's): one throwaway cycle per stack, so both are measured on warm storage
    for (const { stack, key } of sides) {
      const pay = stack.payer(key, 999, 10);
      for (let i = 0; i < 3; i++) await paid(pay, stack.url);
      await stack.claimAll();
    }
    log(
      `batch-settlement: one channel each, ${o.oneChannel} paid requests in sequence, ${ROUNDS} rounds in turn`,
    );
    const one = await oneChannel(devnet, sides, o, deposit, log);
    log(`batch-settlement: ${o.schemeWork} vouchers each verified + settled in-process, in turn`);
    const work = await schemeWork(devnet, sides, one.channels, o.schemeWork);
    log(`batch-settlement: ${o.channels} channels each at once, ${o.perChannel} vouchers per channel`);
    const many = await manyChannels(devnet, sides, o, log);
    const figures = sides.map(
      (_, i) => ({ one: one.figures[i], many: many[i], work: work[i] }) as StackFigures,
    );
    for (const [i, f] of figures.entries())
      log(
        `  ${sides[i]?.stack.name}: ${JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}`,
      );
    const exactGas = await exactSettleGas(devnet);
    log(`  one exact settle: ${exactGas} gas`);
    const rows = rowsOf(figures[0] as StackFigures, figures[1] as StackFigures, exactGas, o);
    return { rows, table: tableOf(rows) };
  } finally {
    for (const stack of stacks) await stack.close();
    await devnet.stop();
  }
}

/** One paid request: its PAYMENT-RESPONSE's transaction and charged total, or a throw. */
async function paid(pay: typeof fetch, url: string) {
  const res = await pay(url);
  const body = await res.text();
  const settlement = getPaymentResponse(res);
  if (res.status !== 200 || !settlement?.success)
    throw new Error(`paid request answered ${res.status}: ${body} ${JSON.stringify(settlement)}`);
  const state =
    (settlement.extra as { channelState?: Record<string, string> } | undefined)?.channelState ?? {};
  return { transaction: settlement.transaction, charged: BigInt(state.chargedCumulativeAmount ?? '0') };
}

/** A voucher's answer: 200 with no transaction, else a throw. */
async function voucher(stack: BatchStack, pay: typeof fetch) {
  const answer = await paid(pay, stack.url);
  if (answer.transaction !== '')
    throw new Error(`${stack.name}: a voucher answered transaction ${answer.transaction}`);
  return answer;
}

/** The gas the transactions used, in all and each. */
const gasOf = async (devnet: Devnet, hashes: string[]) => {
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
  const each: bigint[] = [];
  for (const hash of hashes) each.push((await chain.getTransactionReceipt({ hash: hash as Hex })).gasUsed);
  return { total: each.reduce((a, b) => a + b, 0n), each };
};

/** Time spent, chain calls and blocks mined, summed over a stack's rounds. */
type Tally = { seconds: number; rpc: number; blocks: bigint };
const newTally = (): Tally => ({ seconds: 0, rpc: 0, blocks: 0n });

/** Run `work` on `stack`, adding its seconds, and the chain calls and blocks meanwhile, to `into`. */
async function counted(devnet: Devnet, stack: BatchStack, into: Tally, work: () => Promise<void>) {
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
  const rpc0 = stack.rpcCalls();
  const block0 = await chain.getBlockNumber();
  const t0 = performance.now();
  await work();
  into.seconds += (performance.now() - t0) / 1000;
  into.rpc += stack.rpcCalls() - rpc0;
  into.blocks += (await chain.getBlockNumber()) - block0;
}

/** Each stack: one client opens one channel (deposit), then pays vouchers in sequence, in turns; then claim + sweep. */
async function oneChannel(
  devnet: Devnet,
  sides: Side[],
  o: Sizes,
  deposit: number,
  log: (line: string) => void,
) {
  const runs = await Promise.all(
    sides.map(async ({ stack, key }) => {
      const pay = stack.payer(key, 1, deposit);
      const opening = await paid(pay, stack.url);
      return { pay, hashes: [opening.transaction], charged: opening.charged, latencies: [] as number[] };
    }),
  );
  const tally = sides.map(newTally);
  const perRound = Math.ceil((o.oneChannel - 1) / ROUNDS);
  for (let done = 0; done < o.oneChannel - 1; done += perRound) {
    const n = Math.min(perRound, o.oneChannel - 1 - done);
    for (const [i, { stack }] of sides.entries()) {
      const run = runs[i] as (typeof runs)[number];
      await counted(devnet, stack, tally[i] as Tally, async () => {
        for (let k = 0; k < n; k++) {
          const t0 = performance.now();
          run.charged = (await voucher(stack, run.pay)).charged;
          run.latencies.push(performance.now() - t0);
        }
      });
    }
  }
  const figures = [];
  for (const [i, { stack }] of sides.entries()) {
    const run = runs[i] as (typeof runs)[number];
    const t = tally[i] as Tally;
    const gas = await gasOf(devnet, [...run.hashes, ...(await stack.claimAll())]);
    log(`  ${stack.name}: gas of the deposit, then claim(s) and sweep: ${gas.each.join(', ')}`);
    const sorted = run.latencies.sort((a, b) => a - b);
    figures.push({
      rps: sorted.length / t.seconds,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      gasPerRequest: Number(gas.total) / o.oneChannel,
      rpc: t.rpc,
      blocks: t.blocks,
    });
  }
  return { figures, channels: runs.map((r) => ({ salt: 1, charged: r.charged, price: PRICE })) };
}

/** Each stack's in-process verify + settle per voucher, in chunks of 50 taken in turns (the first chunk warms up). */
async function schemeWork(
  devnet: Devnet,
  sides: Side[],
  channels: Array<{ salt: number; charged: bigint; price: bigint }>,
  count: number,
) {
  const signed = await Promise.all(
    sides.map(({ stack, key }, i) =>
      signVouchers(devnet, stack, key, channels[i] as (typeof channels)[number], count),
    ),
  );
  const times = sides.map(() => [] as number[]);
  const recover = sides.map(() => [] as number[]);
  const tally = sides.map(newTally);
  for (let from = 0; from < count; from += 50) {
    for (const [i, { stack }] of sides.entries()) {
      let chunk: number[] = [];
      await counted(devnet, stack, tally[i] as Tally, async () => {
        chunk = await timeVouchers(signed[i] as (typeof signed)[number], from, Math.min(count, from + 50));
      });
      if (from > 0) times[i]?.push(...chunk);
      if (from < 200) recover[i]?.push(...(await timeRecovery(signed[i] as (typeof signed)[number], 25)));
    }
  }
  return sides.map((_, i) => {
    const sorted = (times[i] ?? []).sort((a, b) => a - b);
    const floor = (recover[i] ?? []).sort((a, b) => a - b);
    return {
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      recoverP50: percentile(floor, 0.5),
      rpc: tally[i]?.rpc ?? 0,
    };
  });
}

/** Each stack: `channels` clients open their channel one after another, then pay vouchers all at once, in turns. */
async function manyChannels(devnet: Devnet, sides: Side[], o: Sizes, log: (line: string) => void) {
  const opened = [];
  for (const { stack, key } of sides) {
    const pays = Array.from({ length: o.channels }, (_, i) => stack.payer(key, 1000 + i, o.perChannel + 5));
    const hashes: string[] = [];
    for (const pay of pays) hashes.push((await paid(pay, stack.url)).transaction);
    opened.push({ pays, hashes, tally: newTally() });
  }
  const rounds = Math.min(2, o.perChannel);
  const perRound = Math.ceil(o.perChannel / rounds);
  for (let done = 0; done < o.perChannel; done += perRound) {
    const n = Math.min(perRound, o.perChannel - done);
    for (const [i, { stack }] of sides.entries()) {
      const side = opened[i] as (typeof opened)[number];
      await counted(devnet, stack, side.tally, async () => {
        await Promise.all(
          side.pays.map(async (pay) => {
            for (let k = 0; k < n; k++) await voucher(stack, pay);
          }),
        );
      });
    }
  }
  const figures = [];
  for (const [i, { stack }] of sides.entries()) {
    const side = opened[i] as (typeof opened)[number];
    const claims = await stack.claimAll();
    const gas = await gasOf(devnet, [...side.hashes, ...claims]);
    log(`  ${stack.name}: gas of the claim(s) and sweep: ${gas.each.slice(side.hashes.length).join(', ')}`);
    figures.push({
      rps: (o.channels * o.perChannel) / side.tally.seconds,
      gasPerRequest: Number(gas.total) / (o.channels * (o.perChannel + 1)),
      rpc: side.tally.rpc,
      blocks: side.tally.blocks,
    });
  }
  return figures;
}

/** The gas of one `exact` settle (EIP-3009 transferWithAuthorization), through our exact stack. */
async function exactSettleGas(devnet: Devnet): Promise<bigint> {
  const facilitator = await startOurFacilitator({
    rpcUrl: devnet.rpcUrl,
    network: devnet.network,
    privateKeys: [devnetAccount(6).privateKey as Hex],
  });
  const server = await startOurServer({
    facilitatorUrl: facilitator.url,
    payTo: devnet.accounts.payTo.address,
    network: devnet.network,
  });
  try {
    const res = await ourFetch(devnet.accounts.payer.privateKey as Hex)(`${server.url}/weather`);
    await res.arrayBuffer();
    const transaction = getPaymentResponse(res)?.transaction;
    if (res.status !== 200 || !transaction) throw new Error(`exact payment answered ${res.status}`);
    return (await gasOf(devnet, [transaction])).total;
  } finally {
    await server.close();
    await facilitator.close();
  }
}
