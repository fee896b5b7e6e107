/**
 * The rows and the table of `bench/batch-settlement-bench.ts`, in `bench/run.ts`'s shape: x402kit and
 * `@x402/evm` 2.27 side by side, ratio > 1 when x402kit is ahead.
 */
import type { Sizes } from './batch-settlement-bench.js';

/** One row, as `bench/run.ts` prints them. */
export type BatchBenchRow = { metric: string; ours: string; theirs: string; ratio: string; target: string };

/** What one stack measured. */
export type StackFigures = {
  one: { rps: number; p50: number; p99: number; gasPerRequest: number; rpc: number; blocks: bigint };
  many: { rps: number; gasPerRequest: number; rpc: number; blocks: bigint };
  work: { p50: number; p99: number; recoverP50: number; rpc: number };
};

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** The rows of a run, from what each stack measured and one exact settle's gas. */
export function rowsOf(
  ours: StackFigures,
  theirs: StackFigures,
  exactGas: bigint,
  o: Sizes,
): BatchBenchRow[] {
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
    {
      metric: 'reference: one voucher signature recovery alone p50 (ms, viem)',
      ours: fmt(ours.work.recoverP50, 3),
      theirs: fmt(theirs.work.recoverP50, 3),
      ratio: '(same work)',
      target: '',
    },
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

/** The rows as a Markdown table, with the date and the node version. */
export function tableOf(rows: BatchBenchRow[]): string {
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
