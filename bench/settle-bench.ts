/**
 * Settlement throughput at a 2 s block time: N concurrent distinct EIP-3009 payments POSTed to
 * `/settle` of a facilitator in a child process, for our facilitator with 1 and 4 signer keys,
 * without and with batched settlement (Multicall3), and for the official `@x402/*` facilitator
 * (one key) as the peer. Reports settlements per second, p50/p99 latency, gas per payment and the
 * facilitator's RSS (VmRSS peak sampled during the load, VmHWM after it).
 *
 * Alone: `node --conditions=source --import tsx bench/settle-bench.ts [count]`; from bench/run.ts:
 * `const settle = await runSettleBench({ log }); console.log(settle.table)`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import { type Devnet, devnetAccount, startDevnet } from '@x402kit/devnet';
import { signExactEvmAuthorization } from '@x402kit/evm';
import { createPublicClient, type Hash, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { percentile } from './load.js';

export type SettleBenchOptions = {
  /** Concurrent payments per configuration; default 200. */
  count?: number;
  /** Seconds between blocks; default 2. */
  blockTime?: number;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
};

/** One configuration's figures. */
export type SettleBenchRow = {
  name: string;
  settled: number;
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  transactions: number;
  gasPerPayment: number;
  peakRssMb: number;
  hwmMb: number;
};

export type SettleBenchResult = { rows: SettleBenchRow[]; table: string };

type Child = { url: string; process: ChildProcess };

/**
 * Run every configuration once and format the table (ratios are against the official facilitator:
 * above 1 means x402kit is ahead).
 *
 * @example
 * const { table } = await runSettleBench({ count: 200 })
 * console.log(table)
 */
export async function runSettleBench(options: SettleBenchOptions = {}): Promise<SettleBenchResult> {
  const count = options.count ?? 200;
  const blockTime = options.blockTime ?? 2;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const devnet = await startDevnet({ port: 0, blockTime, extraPayers: 3, fundPayerWith: 10n ** 12n });
  const keys = [3, 6, 7, 8].map((i) => devnetAccount(i).privateKey as Hex);
  const officialKey = devnetAccount(9).privateKey as Hex;
  const payers = [devnet.accounts.payer, ...devnet.extraPayers].map((a) => privateKeyToAccount(a.privateKey));
  const requirements: PaymentRequirements = {
    scheme: 'exact',
    network: devnet.network,
    amount: '1000',
    asset: devnet.token.address,
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 600,
    extra: { name: devnet.token.name, version: devnet.token.version },
  };
  const sign = async (i: number): Promise<string> => {
    const payer = payers[i % payers.length];
    if (!payer) throw new Error('no payer');
    const paymentPayload: PaymentPayload = {
      x402Version: 2,
      accepted: requirements,
      payload: { ...(await signExactEvmAuthorization(payer, requirements)) },
    };
    return JSON.stringify({ x402Version: 2, paymentPayload, paymentRequirements: requirements });
  };
  const base = { rpcUrl: devnet.rpcUrl, network: devnet.network };
  const configs: Array<{ name: string; start: () => Promise<Child> }> = [
    {
      name: 'official @x402/* 2.27, 1 key',
      start: () =>
        startChild('bench/serve.ts', ['official-facilitator', { ...base, privateKey: officialKey }]),
    },
    ...([1, 4] as const).flatMap((n) =>
      ([false, true] as const).map((batching) => ({
        name: `x402kit, ${n} key${n > 1 ? 's' : ''}, ${batching ? 'batching' : 'no batching'}`,
        start: () =>
          startChild('bench/serve-facilitator-batching.ts', [
            { ...base, privateKeys: keys.slice(0, n), batching: batching ? {} : false },
          ]),
      })),
    ),
  ];
  const rows: SettleBenchRow[] = [];
  try {
    log(
      `settle bench: devnet ${devnet.rpcUrl}, block time ${blockTime} s, ${count} concurrent payments per run`,
    );
    let round = 0;
    for (const config of configs) {
      const child = await config.start();
      try {
        // warm-up: token facts, fee reading, connections
        await settleAll(child.url, [await sign(count * 100 + round++)]);
        const bodies = await Promise.all(Array.from({ length: count }, (_, i) => sign(round * count + i)));
        round++;
        const pid = child.process.pid ?? 0;
        let peakRss = 0;
        const sampler = setInterval(() => {
          void readMemory(pid).then((m) => {
            peakRss = Math.max(peakRss, m.rss);
          });
        }, 100);
        const started = performance.now();
        const results = await settleAll(child.url, bodies);
        const seconds = (performance.now() - started) / 1000;
        clearInterval(sampler);
        const memory = await readMemory(pid);
        const ok = results.filter((r) => r.success);
        const latencies = ok.map((r) => r.ms).sort((a, b) => a - b);
        const gas = await gasOf(
          devnet,
          ok.map((r) => r.transaction),
        );
        const row: SettleBenchRow = {
          name: config.name,
          settled: ok.length,
          count,
          seconds,
          perSecond: ok.length / seconds,
          p50: percentile(latencies, 0.5),
          p99: percentile(latencies, 0.99),
          transactions: gas.transactions,
          gasPerPayment: ok.length ? gas.total / ok.length : Number.NaN,
          peakRssMb: Math.max(peakRss, memory.rss) / 1024,
          hwmMb: memory.hwm / 1024,
        };
        rows.push(row);
        log(
          `  ${row.name}: ${row.settled}/${count} in ${row.seconds.toFixed(2)} s (${row.perSecond.toFixed(1)}/s), ` +
            `p50 ${row.p50.toFixed(0)} ms, p99 ${row.p99.toFixed(0)} ms, ${row.transactions} tx, ` +
            `${row.gasPerPayment.toFixed(0)} gas/payment, RSS peak ${row.peakRssMb.toFixed(0)} MB`,
        );
      } finally {
        await stopChild(child.process);
      }
    }
  } finally {
    await devnet.stop();
  }
  return { rows, table: formatTable(rows, blockTime) };
}

type SettleResult = { success: boolean; transaction: string; ms: number };

async function settleAll(url: string, bodies: readonly string[]): Promise<SettleResult[]> {
  return Promise.all(
    bodies.map(async (body) => {
      const started = performance.now();
      try {
        const response = await fetch(`${url}/settle`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(120_000),
        });
        const json = (await response.json()) as { success?: boolean; transaction?: string };
        return {
          success: json.success === true,
          transaction: json.transaction ?? '',
          ms: performance.now() - started,
        };
      } catch {
        return { success: false, transaction: '', ms: performance.now() - started };
      }
    }),
  );
}

async function gasOf(
  devnet: Devnet,
  hashes: readonly string[],
): Promise<{ total: number; transactions: number }> {
  const client = createPublicClient({ transport: http(devnet.rpcUrl) });
  const unique = [...new Set(hashes)].filter((h): h is Hash => /^0x[0-9a-fA-F]{64}$/.test(h));
  const receipts = await Promise.all(unique.map((hash) => client.getTransactionReceipt({ hash })));
  return { total: receipts.reduce((sum, r) => sum + Number(r.gasUsed), 0), transactions: unique.length };
}

/** VmRSS and VmHWM of a process in kB (0 when unreadable). */
async function readMemory(pid: number): Promise<{ rss: number; hwm: number }> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

function startChild(script: string, args: unknown[]): Promise<Child> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      script,
      ...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ url: (JSON.parse(line) as { url: string }).url, process: child }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function formatTable(rows: readonly SettleBenchRow[], blockTime: number): string {
  const official = rows[0];
  const ratio = (value: number, peer: number | undefined) =>
    peer && Number.isFinite(value) && value > 0 ? `${(value / peer).toFixed(2)}x` : 'n/a';
  const header = [
    'configuration',
    'settled',
    'settles/s',
    'vs official',
    'p50 ms',
    'p99 ms',
    'p99 vs official',
    'tx',
    'gas/payment',
    'RSS peak MB',
    'VmHWM MB',
  ];
  const body = rows.map((r) => [
    r.name,
    `${r.settled}/${r.count}`,
    r.perSecond.toFixed(1),
    ratio(r.perSecond, official?.perSecond),
    r.p50.toFixed(0),
    r.p99.toFixed(0),
    official ? ratio(official.p99, r.p99) : 'n/a',
    String(r.transactions),
    Number.isFinite(r.gasPerPayment) ? r.gasPerPayment.toFixed(0) : 'n/a',
    r.peakRssMb.toFixed(0),
    r.hwmMb.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
    '',
    `(${new Date().toISOString()}, ${blockTime} s blocks, node ${process.version}; ratios > 1 mean x402kit is ahead)`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 200);
  const { table } = await runSettleBench({ count });
  console.log(table);
}
