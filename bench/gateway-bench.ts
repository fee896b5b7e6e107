/**
 * The gateway section of `npm run bench` (`npm run bench -- gateway` runs it alone): the latency the
 * x402kit gateway adds in front of an API, and its unpaid-path throughput, against the official
 * `@x402/express` middleware (with an `@x402/evm` exact server scheme and a forwarder) in front of
 * the same upstream, with the upstream reached directly as the baseline. Every component runs in
 * its own process; one devnet and our facilitator serve both. Figures are wall clock on a shared
 * machine: read the ratios, not the absolute numbers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startDevnet } from '@x402kit/devnet';
import { ourFetch } from '@x402kit/testing/ours';
import type { Hex } from 'viem';
import { percentile, runLoad } from './load.js';

/** One row: the three figures and how the gateway compares (> 1: the gateway is ahead). */
export type GatewayBenchRow = {
  metric: string;
  direct: string;
  gateway: string;
  official: string;
  ratio: string;
};

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/**
 * Run the gateway bench on its own devnet.
 *
 * @example
 * const { table } = await runGatewayBench({ log: console.error })
 */
export async function runGatewayBench(opts: {
  log(line: string): void;
}): Promise<{ rows: GatewayBenchRow[]; table: string }> {
  const { log } = opts;
  const children: ChildProcess[] = [];
  const start = (script: string, kind: string, config: Record<string, unknown>) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', script, kind, JSON.stringify(config)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    return new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (line) => {
        resolve((JSON.parse(line) as { url: string }).url);
      });
      child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
    });
  };
  const devnet = await startDevnet({ port: 0 });
  const rows: GatewayBenchRow[] = [];
  try {
    const network = devnet.network;
    const payTo = devnet.accounts.payTo.address;
    const facilitatorUrl = await start('bench/serve.ts', 'our-facilitator', {
      rpcUrl: devnet.rpcUrl,
      network,
      privateKey: devnet.accounts.facilitator.privateKey,
    });
    const upstream = await start('bench/gateway-serve.ts', 'upstream', {});
    const common = { upstream, facilitatorUrl, payTo, network };
    const [gateway, official] = await Promise.all([
      start('bench/gateway-serve.ts', 'gateway', common),
      start('bench/gateway-serve.ts', 'official', common),
    ]);
    log(`gateway bench: upstream ${upstream}, gateway ${gateway}, @x402/express ${official}`);

    const latency = async (base: string, path: string, status: number) => {
      const run = () => runLoad({ url: `${base}${path}`, concurrency: 1, count: 2000, expectStatus: status });
      await run();
      const result = await run();
      if (result.errors > 0) throw new Error(`${base}${path}: ${result.errors} unexpected answers`);
      return result;
    };
    const throughput = async (base: string, path: string, status: number) => {
      const run = () =>
        runLoad({ url: `${base}${path}`, concurrency: 32, count: 6000, expectStatus: status });
      await run();
      const result = await run();
      if (result.errors > 0) throw new Error(`${base}${path}: ${result.errors} unexpected answers`);
      return result;
    };

    log('  free route, concurrency 1: direct, through the gateway, through @x402/express + forwarder');
    const direct = await latency(upstream, '/free', 200);
    const gatewayFree = await latency(gateway, '/free', 200);
    const officialFree = await latency(official, '/free', 200);
    rows.push(
      latencyRow('free (proxied) request p50 (ms)', direct.p50, gatewayFree.p50, officialFree.p50),
      latencyRow('free (proxied) request p99 (ms)', direct.p99, gatewayFree.p99, officialFree.p99),
      addedRow('latency added, free request p50 (ms)', direct.p50, gatewayFree.p50, officialFree.p50),
    );

    log('  unpaid 402, concurrency 1 and 32');
    const gatewayUnpaid = await latency(gateway, '/data', 402);
    const officialUnpaid = await latency(official, '/data', 402);
    rows.push(
      latencyRow('unpaid 402 p50 (ms)', direct.p50, gatewayUnpaid.p50, officialUnpaid.p50),
      latencyRow('unpaid 402 p99 (ms)', direct.p99, gatewayUnpaid.p99, officialUnpaid.p99),
    );
    const directRps = await throughput(upstream, '/data', 200);
    const gatewayRps = await throughput(gateway, '/data', 402);
    const officialRps = await throughput(official, '/data', 402);
    rows.push({
      metric: 'unpaid 402 throughput, concurrency 32 (req/s)',
      direct: fmt(directRps.rps, 0),
      gateway: fmt(gatewayRps.rps, 0),
      official: fmt(officialRps.rps, 0),
      ratio: `${fmt(gatewayRps.rps / officialRps.rps)}x`,
    });

    log('  paid request, 50 sequential (our paying fetch, same facilitator and chain for both)');
    const pay = ourFetch(devnet.accounts.payer.privateKey as Hex);
    const paid = async (base: string) => {
      const latencies: number[] = [];
      for (let i = 0; i < 55; i++) {
        const t0 = performance.now();
        const res = await pay(`${base}/data`);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${base}/data paid answered ${res.status}`);
        if (i >= 5) latencies.push(performance.now() - t0);
      }
      latencies.sort((a, b) => a - b);
      return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
    };
    const gatewayPaid = await paid(gateway);
    const officialPaid = await paid(official);
    rows.push(
      latencyRow(
        'paid request p50 (ms, 402 + sign + verify + proxy + settle)',
        direct.p50,
        gatewayPaid.p50,
        officialPaid.p50,
      ),
      latencyRow('paid request p99 (ms)', direct.p99, gatewayPaid.p99, officialPaid.p99),
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await devnet.stop();
  }
  return { rows, table: tableOf(rows) };
}

/** A latency row; the ratio is official / gateway, so > 1 means the gateway is faster. */
function latencyRow(metric: string, direct: number, gateway: number, official: number): GatewayBenchRow {
  return {
    metric,
    direct: fmt(direct),
    gateway: fmt(gateway),
    official: fmt(official),
    ratio: `${fmt(official / gateway)}x`,
  };
}

/** Latency over the direct call; the ratio is official's added / gateway's added. */
function addedRow(metric: string, direct: number, gateway: number, official: number): GatewayBenchRow {
  return {
    metric,
    direct: '0',
    gateway: fmt(gateway - direct),
    official: fmt(official - direct),
    ratio: `${fmt((official - direct) / (gateway - direct))}x`,
  };
}

function tableOf(rows: GatewayBenchRow[]): string {
  const header: GatewayBenchRow = {
    metric: 'metric',
    direct: 'direct to upstream',
    gateway: 'x402kit gateway',
    official: '@x402/express + forwarder',
    ratio: 'ratio',
  };
  const keys = Object.keys(header) as Array<keyof GatewayBenchRow>;
  const all = [header, ...rows];
  const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: GatewayBenchRow) => `| ${keys.map((k, i) => r[k].padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    `\n(${new Date().toISOString()}, node ${process.version}; ratio > 1 means the gateway is ahead)`,
  ].join('\n');
}
