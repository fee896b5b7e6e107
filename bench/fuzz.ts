/**
 * The fuzz suite's long run: every property of test/fuzz (header decoders, the facilitator
 * service, the resource server) with `scale` times the cases `npm test` runs, on one devnet.
 * Prints each property's cases and failures, then the totals; the seed is printed so a failure
 * replays with `FUZZ_SEED=<seed>` (`FUZZ_RUNS` sets the cases of every property instead).
 *
 * Alone: `node --conditions=source --import tsx bench/fuzz.ts [scale]` (default 10; exit code 1
 * on a failure); from bench/run.ts: `const fuzz = await runFuzzBench({ log }); console.log(fuzz.table)`.
 */
import { pathToFileURL } from 'node:url';
import { startDevnet } from '@x402kit/devnet';
import { codecProperties } from '../test/fuzz/codec-properties.js';
import { facilitatorProperties, startServiceFixture } from '../test/fuzz/facilitator-properties.js';
import { type FuzzCase, type FuzzReport, fuzzParameters } from '../test/fuzz/fuzz-run.js';
import { resourceServerProperties, startApiFixture } from '../test/fuzz/resource-server-properties.js';

export type FuzzBenchOptions = {
  /** Cases per property, as a multiple of `npm test`'s; default 10. */
  scale?: number;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
};

export type FuzzBenchResult = {
  reports: FuzzReport[];
  cases: number;
  failures: number;
  seconds: number;
  /** A markdown table: property, cases, failures. */
  table: string;
};

/**
 * Run every fuzz property at `scale`.
 *
 * @example const { failures, table } = await runFuzzBench({ scale: 10 })
 */
export async function runFuzzBench(options: FuzzBenchOptions = {}): Promise<FuzzBenchResult> {
  const scale = options.scale ?? 10;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { seed } = fuzzParameters(1);
  log(
    `fuzz: seed ${seed} (replay with FUZZ_SEED=${seed}), ${scale}x the cases of npm test; starting a devnet ...`,
  );
  const started = performance.now();
  const devnet = await startDevnet({ port: 0, fundPayerWith: 1_000_000_000_000n });
  const reports: FuzzReport[] = [];
  try {
    const service = await startServiceFixture(devnet);
    const api = await startApiFixture(devnet).catch(async (error: unknown) => {
      await service.close();
      throw error;
    });
    try {
      const all: FuzzCase[] = [
        ...codecProperties(),
        ...facilitatorProperties(service),
        ...resourceServerProperties(api),
      ];
      for (const property of all) reports.push(await property.run({ scale, log }));
    } finally {
      await api.close();
      await service.close();
    }
  } finally {
    await devnet.stop();
  }
  const cases = reports.reduce((sum, r) => sum + r.cases, 0);
  const failures = reports.reduce((sum, r) => sum + r.failures, 0);
  const seconds = (performance.now() - started) / 1000;
  const rows = reports.map((r) => `| ${r.name} | ${r.cases} | ${r.failures} |`);
  const table = [
    '| fuzz property | cases | failures |',
    '| --- | --- | --- |',
    ...rows,
    `| total (seed ${seed}, ${seconds.toFixed(1)} s) | ${cases} | ${failures} |`,
  ].join('\n');
  return { reports, cases, failures, seconds, table };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const scale = Number(process.argv[2] ?? 10);
  if (!(scale > 0)) throw new Error(`scale must be a positive number, got "${process.argv[2]}"`);
  const result = await runFuzzBench({ scale });
  console.log(result.table);
  console.log(
    `\nfuzz: ${result.cases} cases, ${result.failures} failure(s) in ${result.seconds.toFixed(1)} s`,
  );
  process.exitCode = result.failures === 0 ? 0 : 1;
}
