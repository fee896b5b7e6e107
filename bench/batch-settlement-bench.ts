/**
 * The `batch-settlement` section of `npm run bench` (`npm run bench -- batch` runs it alone), ours
 * against the official `@x402/evm` 2.27 stack in the same run, on one devnet (see
 * `batch-settlement-stacks.ts`): paid requests per second on one channel (one client, sequential) and on
 * 100 channels (100 clients at once), gas per paid request (deposit + claim + sweep from the receipts,
 * divided by the requests served; and one `exact` settle's gas, one transfer per request), the server's
 * scheme work per voucher (verify + settle in-process, no HTTP), and the chain calls and blocks during
 * the voucher phases (counted at each stack's RPC proxy). Ratio > 1 means x402kit is ahead.
 */
import { decodePaymentRequiredHeader, type PaymentPayload, type PaymentRequirements } from '@x402kit/core';
import { type Devnet, devnetAccount, startDevnet } from '@x402kit/devnet';
import {
  batchSettlementDomain,
  type ChannelConfig,
  computeChannelId,
  voucherTypes,
} from '@x402kit/evm/batch-settlement';
import { getPaymentResponse } from '@x402kit/http';
import { ourFetch, startOurFacilitator, startOurServer } from '@x402kit/testing/ours';
import { createPublicClient, getAddress, type Hex, http, recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { type BatchStack, startOfficialBatchStack, startOurBatchStack } from './batch-settlement-stacks.js';
import { percentile } from './load.js';

/** One row, as `bench/run.ts` prints them. */
export type BatchBenchRow = { metric: string; ours: string; theirs: string; ratio: string; target: string };

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
type Sizes = Required<Omit<BatchBenchOptions, 'log'>>;

/** What one stack measured. */
type StackFigures = {
  one: { rps: number; p50: number; p99: number; gasPerRequest: number; rpc: number; blocks: bigint };
  many: { rps: number; gasPerRequest: number; rpc: number; blocks: bigint; requests: number };
  work: { p50: number; p99: number; recoverP50: number; rpc: number };
};

const PRICE = 1000n; // $0.001 of the devnet's 6-decimal USDC
/** The one channel's deposit, in requests: one deposit covers its run and the in-process vouchers. */
const depositOf = (o: Sizes) => o.oneChannel + o.schemeWork + 100;

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
  const devnet = await startDevnet({ port: 0, extraPayers: 1, fundPayerWith: 100_000_000_000n });
  const stacks: BatchStack[] = [];
  try {
    const theirPayer = devnet.extraPayers[0]?.privateKey as Hex;
    stacks.push(await startOurBatchStack(devnet, PRICE));
    const deposit = depositOf(o);
    stacks.push(await startOfficialBatchStack(devnet, PRICE, devnetAccount(5).privateKey as Hex, deposit));
    const [ours, official] = stacks as [BatchStack, BatchStack];
    // a first claim and sweep on a fresh chain pay for storage nobody wrote yet (the receiver's token
    // balance, the escrow's): one throwaway cycle per stack, so both are measured on warm storage
    for (const [stack, key] of [
      [ours, devnet.accounts.payer.privateKey as Hex],
      [official, theirPayer],
    ] as const) {
      const pay = stack.payer(key, 999, 10);
      for (let i = 0; i < 3; i++) await paid(pay, stack.url);
      await stack.claimAll();
    }
    const figures: Record<string, StackFigures> = {};
    for (const [stack, key] of [
      [ours, devnet.accounts.payer.privateKey as Hex],
      [official, theirPayer],
    ] as const) {
      log(`batch-settlement, ${stack.name}: one channel, ${o.oneChannel} paid requests in sequence`);
      const one = await oneChannel(devnet, stack, key, o, log);
      log(`batch-settlement, ${stack.name}: ${o.schemeWork} vouchers verified + settled in-process`);
      const work = await schemeWork(devnet, stack, key, one.channel, o.schemeWork);
      log(`batch-settlement, ${stack.name}: ${o.channels} channels at once, ${o.perChannel} vouchers each`);
      const many = await manyChannels(devnet, stack, key, o, log);
      figures[stack.name] = { one: one.figures, many, work };
      log(`  ${JSON.stringify(figures[stack.name], (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}`);
    }
    const exactGas = await exactSettleGas(devnet);
    log(`  one exact settle: ${exactGas} gas`);
    const rows = rowsOf(figures.ours as StackFigures, figures.official as StackFigures, exactGas, o);
    return { rows, table: tableOf(rows) };
  } finally {
    for (const stack of stacks) await stack.close();
    await devnet.stop();
  }
}

/** One paid request: its PAYMENT-RESPONSE (transaction, charged total and channel id), or a throw. */
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

/** The gas the transactions used, in all and each. */
const gasOf = async (devnet: Devnet, hashes: string[]) => {
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
  const each: bigint[] = [];
  for (const hash of hashes) each.push((await chain.getTransactionReceipt({ hash: hash as Hex })).gasUsed);
  return { total: each.reduce((a, b) => a + b, 0n), each };
};
const blockOf = (devnet: Devnet) => createPublicClient({ transport: http(devnet.rpcUrl) }).getBlockNumber();

/** One client, one channel: the opening request (deposit), then vouchers in sequence; then claim + sweep. */
async function oneChannel(
  devnet: Devnet,
  stack: BatchStack,
  key: Hex,
  o: Sizes,
  log: (line: string) => void,
) {
  const pay = stack.payer(key, 1, depositOf(o));
  const opening = await paid(pay, stack.url);
  const rpc0 = stack.rpcCalls();
  const block0 = await blockOf(devnet);
  const latencies: number[] = [];
  let charged = opening.charged;
  const t0 = performance.now();
  for (let i = 1; i < o.oneChannel; i++) {
    const s = performance.now();
    const answer = await paid(pay, stack.url);
    latencies.push(performance.now() - s);
    if (answer.transaction !== '')
      throw new Error(`${stack.name}: a voucher answered transaction ${answer.transaction}`);
    charged = answer.charged;
  }
  const seconds = (performance.now() - t0) / 1000;
  const rpc = stack.rpcCalls() - rpc0;
  const blocks = (await blockOf(devnet)) - block0;
  const claims = await stack.claimAll();
  const gas = await gasOf(devnet, [opening.transaction, ...claims]);
  log(`  ${stack.name}: gas of the deposit, then claim(s) and sweep: ${gas.each.join(', ')}`);
  latencies.sort((a, b) => a - b);
  return {
    channel: { salt: 1, charged },
    figures: {
      rps: latencies.length / seconds,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      gasPerRequest: Number(gas.total) / o.oneChannel,
      rpc,
      blocks,
    },
  };
}

/** `channels` clients open their channel one after another, then all pay their vouchers at once. */
async function manyChannels(
  devnet: Devnet,
  stack: BatchStack,
  key: Hex,
  o: Sizes,
  log: (line: string) => void,
) {
  const pays = Array.from({ length: o.channels }, (_, i) => stack.payer(key, 1000 + i, o.perChannel + 5));
  const deposits: string[] = [];
  for (const pay of pays) deposits.push((await paid(pay, stack.url)).transaction);
  const rpc0 = stack.rpcCalls();
  const block0 = await blockOf(devnet);
  const t0 = performance.now();
  await Promise.all(
    pays.map(async (pay) => {
      for (let i = 0; i < o.perChannel; i++) {
        const answer = await paid(pay, stack.url);
        if (answer.transaction !== '') throw new Error(`${stack.name}: a voucher answered a transaction`);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const rpc = stack.rpcCalls() - rpc0;
  const blocks = (await blockOf(devnet)) - block0;
  const claims = await stack.claimAll();
  const requests = o.channels * (o.perChannel + 1);
  const gas = await gasOf(devnet, [...deposits, ...claims]);
  log(`  ${stack.name}: gas of the claim(s) and sweep: ${gas.each.slice(deposits.length).join(', ')}`);
  return {
    rps: (o.channels * o.perChannel) / seconds,
    gasPerRequest: Number(gas.total) / requests,
    rpc,
    blocks,
    requests,
  };
}

/**
 * The server's scheme work per voucher, in-process: `count` vouchers continuing the one channel, signed
 * beforehand, each verified and settled by the stack's server (ours: its session with the memory store;
 * the official: its `x402ResourceServer`, whose scheme hooks do the work). Chain calls counted meanwhile.
 */
async function schemeWork(
  devnet: Devnet,
  stack: BatchStack,
  key: Hex,
  channel: { salt: number; charged: bigint },
  count: number,
) {
  const unpaid = await fetch(stack.url);
  await unpaid.arrayBuffer();
  const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
  const requirements = (required.x402Version === 2 ? required.accepts[0] : undefined) as PaymentRequirements;
  const account = privateKeyToAccount(key);
  const extra = requirements.extra as { receiverAuthorizer: string; withdrawDelay: number };
  const config: ChannelConfig = {
    payer: account.address,
    payerAuthorizer: account.address,
    receiver: getAddress(requirements.payTo),
    receiverAuthorizer: getAddress(extra.receiverAuthorizer),
    token: getAddress(requirements.asset),
    withdrawDelay: extra.withdrawDelay,
    salt: `0x${channel.salt.toString(16).padStart(64, '0')}`,
  };
  const channelId = computeChannelId(config, devnet.chainId);
  const payments: PaymentPayload[] = [];
  for (let k = 1n; k <= BigInt(count); k++) {
    const max = channel.charged + k * PRICE;
    const signature = await account.signTypedData({
      domain: batchSettlementDomain(devnet.chainId),
      types: voucherTypes,
      primaryType: 'Voucher',
      message: { channelId, maxClaimableAmount: max },
    });
    const voucher = { channelId, maxClaimableAmount: max.toString(), signature };
    payments.push({
      x402Version: 2,
      accepted: requirements,
      payload: { type: 'voucher', channelConfig: config, voucher },
    });
  }
  const rpc0 = stack.rpcCalls();
  const times: number[] = [];
  for (const [i, payment] of payments.entries()) {
    const t0 = performance.now();
    const ok = await stack.verifyAndSettle(payment, requirements, `bench-work-${i}`);
    const ms = performance.now() - t0;
    if (!ok) throw new Error(`${stack.name}: voucher ${i + 1} was refused in-process`);
    if (i >= 50) times.push(ms);
  }
  times.sort((a, b) => a - b);
  // the floor under both: recovering a voucher's signer (EIP-712, secp256k1 in JS), timed alone
  const recover: number[] = [];
  for (const payment of payments.slice(0, 200)) {
    const { voucher } = payment.payload as { voucher: { maxClaimableAmount: string; signature: Hex } };
    const t0 = performance.now();
    await recoverTypedDataAddress({
      domain: batchSettlementDomain(devnet.chainId),
      types: voucherTypes,
      primaryType: 'Voucher',
      message: { channelId, maxClaimableAmount: BigInt(voucher.maxClaimableAmount) },
      signature: voucher.signature,
    });
    recover.push(performance.now() - t0);
  }
  recover.sort((a, b) => a - b);
  return {
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    recoverP50: percentile(recover, 0.5),
    rpc: stack.rpcCalls() - rpc0,
  };
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

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function rowsOf(ours: StackFigures, theirs: StackFigures, exactGas: bigint, o: Sizes): BatchBenchRow[] {
  const row = (metric: string, a: number, b: number, higherIsBetter: boolean, target = '', digits = 1) => ({
    metric,
    ours: fmt(a, digits),
    theirs: fmt(b, digits),
    ratio: `${fmt(higherIsBetter ? a / b : b / a, 2)}x`,
    target,
  });
  const count = (metric: string, a: number | bigint, b: number | bigint, target: string) => ({
    metric,
    ours: String(a),
    theirs: String(b),
    ratio: Number(a) === 0 ? (Number(b) === 0 ? '=' : 'ours 0') : `${fmt(Number(b) / Number(a), 2)}x`,
    target,
  });
  return [
    row(
      'batch-settlement paid requests, one channel, sequential (req/s)',
      ours.one.rps,
      theirs.one.rps,
      true,
    ),
    row('batch-settlement paid request p50, one channel (ms)', ours.one.p50, theirs.one.p50, false, '', 2),
    row('batch-settlement paid request p99, one channel (ms)', ours.one.p99, theirs.one.p99, false, '', 2),
    row(
      `batch-settlement paid requests, ${o.channels} channels at once (req/s)`,
      ours.many.rps,
      theirs.many.rps,
      true,
    ),
    row(
      `gas per paid request, 1 channel x ${o.oneChannel} (deposit + claim + sweep)`,
      ours.one.gasPerRequest,
      theirs.one.gasPerRequest,
      false,
    ),
    row(
      `gas per paid request, ${o.channels} channels x ${o.perChannel + 1}`,
      ours.many.gasPerRequest,
      theirs.many.gasPerRequest,
      false,
    ),
    {
      ...row(
        `gas per paid request vs exact (theirs = one exact settle, ${exactGas} gas)`,
        ours.one.gasPerRequest,
        Number(exactGas),
        false,
      ),
    },
    row(
      'scheme work per voucher p50, in-process verify + settle (ms)',
      ours.work.p50,
      theirs.work.p50,
      false,
      '< 1 ms',
      3,
    ),
    row(
      'scheme work per voucher p99, in-process verify + settle (ms)',
      ours.work.p99,
      theirs.work.p99,
      false,
      '',
      3,
    ),
    row(
      'of which: the voucher signature recovery alone p50 (ms, viem)',
      ours.work.recoverP50,
      theirs.work.recoverP50,
      false,
      '',
      3,
    ),
    count(
      'chain calls on the request path (all voucher phases)',
      ours.one.rpc + ours.many.rpc + ours.work.rpc,
      theirs.one.rpc + theirs.many.rpc + theirs.work.rpc,
      '0',
    ),
    count(
      'blocks mined during the voucher phases',
      ours.one.blocks + ours.many.blocks,
      theirs.one.blocks + theirs.many.blocks,
      '0',
    ),
  ];
}

function tableOf(rows: BatchBenchRow[]): string {
  const header: BatchBenchRow = {
    metric: 'metric',
    ours: 'x402kit',
    theirs: '@x402/evm 2.27',
    ratio: 'ratio',
    target: 'target',
  };
  const keys = Object.keys(header) as Array<keyof BatchBenchRow>;
  const all = [header, ...rows];
  const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: BatchBenchRow) => `| ${keys.map((k, i) => r[k].padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    `\n(${new Date().toISOString()}, node ${process.version}; ratio > 1 means x402kit is ahead)`,
  ].join('\n');
}
