/**
 * Bench of `exact` on Solana (issue 10) on the offline Solana devnet (litesvm behind a local
 * JSON-RPC server): our facilitator service (core engine + `@x402kit/svm`) against the official
 * engine with `@x402/svm` 2.27, each in its own child process (`bench/serve.ts` kinds
 * `our-svm-facilitator` and `official-svm-facilitator`). The devnet and the load generator share
 * the parent process, alike for both.
 *
 * - `/verify` at concurrency 32: one payment signed by our client, verified again and again (verify
 *   does not consume it), same load generator for both; throughput and p50/p99.
 * - `/settle`: N distinct payments POSTed at once, to ours with one and with four fee payers, and to
 *   the official one (one fee payer: its signer holds one). Every answer must be a success, every
 *   signature distinct and landed without error, and payTo must gain exactly N x the price.
 * - The same settles through our facilitator service as deployed (`bench/serve-svm-service.ts`:
 *   the Solana chain module in `createFacilitatorApp`, every payment claimed and completed in a
 *   SQLite ledger), with one and with four fee payers: what the ledger costs on Solana.
 *
 * Alone: `node --conditions=source --import tsx bench/svm-bench.ts [count]`; from bench/run.ts:
 * `const svm = await runSvmBench({ log }); console.log(svm.table)`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createX402Client, type PaymentRequirements } from '@x402kit/core';
import {
  type SolanaDevnet,
  solanaDevnetAccount,
  solanaDevnetSigner,
  startSolanaDevnet,
} from '@x402kit/devnet';
import { createExactSvmClient } from '@x402kit/svm';
import { addressOfSecret, fundedFeePayer } from '@x402kit/testing/solana-service';
import { runLoad } from './load.js';

export type SvmBenchOptions = {
  /** Progress lines; default stderr. */
  log?: (line: string) => void;
  /** Distinct payments per settle run (at most 140: a devnet blockhash lives 150 blocks); default 100. */
  count?: number;
  /** `/verify` requests per measured run at concurrency 32; default 3000. */
  verifyCount?: number;
};

/** One row of the table (the shape of `bench/run.ts`'s rows). */
export type SvmBenchRow = { metric: string; ours: string; theirs: string; ratio: string; target: string };

export type SvmBenchResult = { rows: SvmBenchRow[]; table: string };

type Child = { url: string; process: ChildProcess };

/** A settle run's figures. */
type SettleRun = { settled: number; count: number; seconds: number; perSecond: number };

const SERVE = fileURLToPath(new URL('./serve.ts', import.meta.url));
const SERVE_SERVICE = fileURLToPath(new URL('./serve-svm-service.ts', import.meta.url));
const PRICE = 1000n; // 0.001 devnet USDC

/**
 * Run the Solana section and format its table (ratio above 1 means x402kit is ahead).
 *
 * @example
 * const svm = await runSvmBench({ log })
 * console.log(svm.table)
 */
export async function runSvmBench(options: SvmBenchOptions = {}): Promise<SvmBenchResult> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const count = options.count ?? 100;
  const verifyCount = options.verifyCount ?? 3000;
  if (!Number.isInteger(count) || count < 1 || count > 140) {
    throw new RangeError(`count must be an integer from 1 to 140 (got ${String(options.count)})`);
  }
  log('solana (exact on SVM): starting the devnet; facilitators run in child processes');
  const devnet = await startSolanaDevnet();
  const children: ChildProcess[] = [];
  try {
    const feePayers = [
      (await solanaDevnetAccount('feePayer')).secretKey,
      ...(await Promise.all([1, 2, 3].map(async (i) => (await fundedFeePayer(devnet, i)).secretKey))),
    ];
    const [mainFeePayer] = feePayers;
    if (!mainFeePayer) throw new Error('no fee payer');
    const base = { rpcUrl: devnet.rpcUrl, network: devnet.network };
    const start = async (kind: string, keys: string[]) => {
      const child = await startChild(kind === 'our-svm-service' ? [SERVE_SERVICE] : [SERVE, kind], {
        ...base,
        feePayers: keys,
      });
      children.push(child.process);
      return child;
    };
    const ours = await start('our-svm-facilitator', [mainFeePayer]);
    const theirs = await start('official-svm-facilitator', [mainFeePayer]);

    const feePayerAddresses = feePayers.map(addressOfSecret);
    const requirementsFor = (feePayer: string): PaymentRequirements => ({
      scheme: 'exact',
      network: devnet.network,
      asset: devnet.usdc.address,
      amount: PRICE.toString(),
      payTo: devnet.accounts.payTo.address,
      maxTimeoutSeconds: 60,
      extra: { feePayer },
    });
    const client = createX402Client({
      schemes: [
        {
          network: 'solana:*',
          client: createExactSvmClient({ signer: await solanaDevnetSigner('payer'), rpc: devnet.rpcUrl }),
        },
      ],
    });
    const sign = async (feePayer: string) => {
      const requirements = requirementsFor(feePayer);
      const paymentPayload = await client.createPaymentPayload({
        x402Version: 2,
        resource: { url: 'http://bench/weather' },
        accepts: [requirements],
      });
      return JSON.stringify({ x402Version: 2, paymentPayload, paymentRequirements: requirements });
    };

    const rows: SvmBenchRow[] = [];
    const row = (metric: string, a: number, b: number, higherIsBetter: boolean, target: string) => {
      const ratio = higherIsBetter ? a / b : b / a;
      rows.push({ metric, ours: fmt(a), theirs: fmt(b), ratio: `${fmt(ratio, 2)}x`, target });
      log(`  ${metric}: ours ${fmt(a)}, theirs ${fmt(b)} (${fmt(ratio, 2)}x)`);
    };

    log(`solana /verify, concurrency 32, ${verifyCount} requests per run`);
    const verifyBody = await sign(feePayerAddresses[0] ?? '');
    for (const child of [ours, theirs]) await expectValid(child.url, verifyBody);
    const load = (url: string, requests: number) =>
      runLoad({
        url: `${url}/verify`,
        method: 'POST',
        body: verifyBody,
        concurrency: 32,
        count: requests,
        expectStatus: 200,
      });
    const warm = Math.max(100, Math.round(verifyCount / 10));
    await load(ours.url, warm);
    await load(theirs.url, warm);
    const ourVerify = await load(ours.url, verifyCount);
    const theirVerify = await load(theirs.url, verifyCount);
    if (ourVerify.errors || theirVerify.errors) {
      throw new Error(`/verify answered non-200: ours ${ourVerify.errors}, theirs ${theirVerify.errors}`);
    }
    row('Solana /verify throughput, concurrency 32 (req/s)', ourVerify.rps, theirVerify.rps, true, '>= 2x');
    row('Solana /verify p50, concurrency 32 (ms)', ourVerify.p50, theirVerify.p50, false, '');
    row('Solana /verify p99, concurrency 32 (ms)', ourVerify.p99, theirVerify.p99, false, '');

    log(`solana /settle: ${count} distinct payments at once per run`);
    const settleRun = async (url: string, payers: readonly string[]) => {
      // every payment names one fee payer of the facilitator, round-robin as its /supported hands them out
      const bodies = await Promise.all(
        Array.from({ length: count }, (_, i) => sign(payers[i % payers.length] ?? '')),
      );
      return settleAll(devnet, url, bodies);
    };
    await settleRun(theirs.url, feePayerAddresses.slice(0, 1)); // warm-up: mint facts, connections
    const theirSettle = await settleRun(theirs.url, feePayerAddresses.slice(0, 1));
    await stopChild(theirs.process);
    await settleRun(ours.url, feePayerAddresses.slice(0, 1));
    const ourSettle1 = await settleRun(ours.url, feePayerAddresses.slice(0, 1));
    await stopChild(ours.process);
    const ours4 = await start('our-svm-facilitator', feePayers);
    await settleRun(ours4.url, feePayerAddresses);
    const ourSettle4 = await settleRun(ours4.url, feePayerAddresses);
    await stopChild(ours4.process);
    // the service as deployed: the chain module behind the settlement ledger
    const measureService = async (keys: string[]) => {
      const service = await start('our-svm-service', keys);
      const addresses = keys.map(addressOfSecret);
      await settleRun(service.url, addresses);
      const run = await settleRun(service.url, addresses);
      await stopChild(service.process);
      return run;
    };
    const serviceSettle1 = await measureService([mainFeePayer]);
    const serviceSettle4 = await measureService(feePayers);
    for (const [name, run] of [
      ['official, 1 fee payer', theirSettle],
      ['ours, 1 fee payer', ourSettle1],
      ['ours, 4 fee payers', ourSettle4],
      ['our service (ledger), 1 fee payer', serviceSettle1],
      ['our service (ledger), 4 fee payers', serviceSettle4],
    ] as const) {
      log(`  ${name}: ${run.settled}/${run.count} in ${fmt(run.seconds, 2)} s (${fmt(run.perSecond)}/s)`);
    }
    const settleRow = (metric: string, run: SettleRun) =>
      rows.push({
        metric,
        ours: `${run.settled}/${run.count} in ${fmt(run.seconds, 2)} s, ${fmt(run.perSecond)}/s`,
        theirs: `${theirSettle.settled}/${theirSettle.count} in ${fmt(theirSettle.seconds, 2)} s, ${fmt(theirSettle.perSecond)}/s`,
        ratio: `${fmt(run.perSecond / theirSettle.perSecond, 2)}x`,
        target: `${count}/${count}`,
      });
    settleRow(`Solana ${count} concurrent settles, ours 1 fee payer (theirs 1)`, ourSettle1);
    settleRow(`Solana ${count} concurrent settles, ours 4 fee payers (theirs 1)`, ourSettle4);
    settleRow(
      `Solana ${count} concurrent settles, our service + ledger, 1 fee payer (theirs 1)`,
      serviceSettle1,
    );
    settleRow(
      `Solana ${count} concurrent settles, our service + ledger, 4 fee payers (theirs 1)`,
      serviceSettle4,
    );
    return { rows, table: formatTable(rows) };
  } finally {
    for (const child of children) await stopChild(child);
    await devnet.stop();
  }
}

/**
 * POST every body to `${url}/settle` at once; throws unless every answer is a success with a
 * distinct signature that landed without error and payTo gained exactly `bodies.length` x PRICE.
 */
async function settleAll(devnet: SolanaDevnet, url: string, bodies: readonly string[]): Promise<SettleRun> {
  const payTo = devnet.accounts.payTo.address;
  const before = (await devnet.balances(payTo)).USDC;
  const started = performance.now();
  const answers = await Promise.all(
    bodies.map(async (body) => {
      try {
        const res = await fetch(`${url}/settle`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        return (await res.json()) as { success?: boolean; transaction?: string; errorReason?: string };
      } catch (error) {
        return { success: false, errorReason: String(error) };
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const ok = answers.filter((a) => a.success === true && typeof a.transaction === 'string');
  const signatures = new Set(ok.map((a) => a.transaction ?? ''));
  const landed = [...signatures].filter((s) => devnet.chain.signatureStatus(s)?.err === null);
  const gained = (await devnet.balances(payTo)).USDC - before;
  const failed = answers.find((a) => a.success !== true);
  if (
    ok.length !== bodies.length ||
    signatures.size !== bodies.length ||
    landed.length !== bodies.length ||
    gained !== BigInt(bodies.length) * PRICE
  ) {
    throw new Error(
      `${url}/settle: ${ok.length}/${bodies.length} successes, ${signatures.size} distinct signatures, ` +
        `${landed.length} landed, payTo gained ${gained} (expected ${BigInt(bodies.length) * PRICE})` +
        (failed ? `; first failure ${JSON.stringify(failed)}` : ''),
    );
  }
  return { settled: ok.length, count: bodies.length, seconds, perSecond: ok.length / seconds };
}

/** Throws unless `${url}/verify` accepts the body. */
async function expectValid(url: string, body: string): Promise<void> {
  const res = await fetch(`${url}/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const answer = (await res.json()) as { isValid?: boolean };
  if (res.status !== 200 || answer.isValid !== true) {
    throw new Error(`${url}/verify refused the bench payment: ${res.status} ${JSON.stringify(answer)}`);
  }
}

/** Start `entry` (a script and its arguments) in a child process, given `config` as its last argument. */
function startChild(entry: readonly string[], config: Record<string, unknown>): Promise<Child> {
  const kind = entry.join(' ');
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', ...entry, JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ url: (JSON.parse(line) as { url: string }).url, process: child }));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function formatTable(rows: readonly SvmBenchRow[]): string {
  const header: SvmBenchRow = {
    metric: 'metric (each facilitator in its own child process)',
    ours: 'x402kit',
    theirs: '@x402/svm 2.27',
    ratio: 'ratio',
    target: 'target',
  };
  const keys = Object.keys(header) as Array<keyof SvmBenchRow>;
  const all = [header, ...rows];
  const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: SvmBenchRow) => `| ${keys.map((k, i) => r[k].padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    `\n(${new Date().toISOString()}, node ${process.version}; devnet and load generator in the parent process; ratio > 1 means x402kit is ahead)`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 100);
  const { table } = await runSvmBench({ count });
  console.log(table);
}
