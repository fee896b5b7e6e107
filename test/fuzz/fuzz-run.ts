/**
 * How the fuzz suite runs a property: a fixed seed by default (printed, so any run can be
 * replayed), `FUZZ_SEED` and `FUZZ_RUNS` to override it locally, and a report that counts cases
 * and failures instead of throwing, so the test files assert on it and the bench prints it.
 *
 *   FUZZ_SEED=123 FUZZ_RUNS=5000 node scripts/test.mjs test/fuzz
 */
import fc from 'fast-check';

/** The seed of CI runs: fixed, so a failure in CI replays the same cases on any machine. */
export const DEFAULT_FUZZ_SEED = 4022026;

/** The outcome of one property. */
export type FuzzReport = {
  name: string;
  seed: number;
  /** Cases run (up to and including the first failure). */
  cases: number;
  failures: number;
  /** The shrunk failing case and what went wrong, for the failure message. */
  counterexample?: string;
  error?: string;
};

/**
 * The seed and case count for a property: `FUZZ_SEED` / `FUZZ_RUNS` when set (validated), else
 * the fixed seed and `defaultRuns` times `scale` (the bench runs longer with a larger scale).
 *
 * @example fuzzParameters(500) // { seed: 4022026, numRuns: 500 }
 */
export function fuzzParameters(defaultRuns: number, scale = 1): { seed: number; numRuns: number } {
  return {
    seed: readInteger('FUZZ_SEED', -(2 ** 31), 2 ** 31 - 1) ?? DEFAULT_FUZZ_SEED,
    numRuns: readInteger('FUZZ_RUNS', 1, 10_000_000) ?? Math.max(1, Math.round(defaultRuns * scale)),
  };
}

/**
 * Run `property` and report, never throw: the counterexample and the error are kept as text.
 * Prints one line per property on stderr (name, cases, seed, failures).
 *
 * @example
 * const report = await runFuzz('codec: arbitrary strings', fc.property(fc.string(), check), 2000)
 * assert.equal(report.failures, 0, report.error)
 */
export async function runFuzz<Ts>(
  name: string,
  property: fc.IRawProperty<Ts>,
  defaultRuns: number,
  options: FuzzRunOptions = {},
): Promise<FuzzReport> {
  const parameters = fuzzParameters(defaultRuns, options.scale);
  const details = await fc.check(property, parameters);
  const failed = details.failed;
  const report: FuzzReport = {
    name,
    seed: details.seed,
    cases: details.numRuns,
    failures: failed ? 1 : 0,
    ...(failed
      ? {
          counterexample: preview(details.counterexample),
          error: describeError(details.errorInstance),
        }
      : {}),
  };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  log(
    `fuzz ${name}: ${report.cases} cases, seed ${report.seed}, ${report.failures} failure(s)${
      failed ? `\n  counterexample: ${report.counterexample}\n  error: ${report.error}` : ''
    }`,
  );
  return report;
}

/** Options of one fuzz run: a case-count scale (the bench runs longer) and where lines go. */
export type FuzzRunOptions = { scale?: number; log?: (line: string) => void };

/** A named property with its `npm test` case count, ready to run. */
export type FuzzCase = {
  name: string;
  runs: number;
  run(options?: FuzzRunOptions): Promise<FuzzReport>;
};

/**
 * Bundle a property with its name and default case count.
 *
 * @example const cases = [fuzzCase('codec: strings', fc.property(fc.string(), check), 600)]
 */
export function fuzzCase<Ts>(name: string, property: fc.IRawProperty<Ts>, runs: number): FuzzCase {
  return { name, runs, run: (options) => runFuzz(name, property, runs, options) };
}

/**
 * A failure message for `assert`: what failed and how to replay it.
 *
 * @example assert.equal(report.failures, 0, failureMessage(report))
 */
export function failureMessage(report: FuzzReport): string {
  return `${report.name} failed (replay: FUZZ_SEED=${report.seed}): ${report.error}\ncounterexample: ${report.counterexample}`;
}

function readInteger(name: string, min: number, max: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw.trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function preview(value: unknown): string {
  const text = fc.stringify(value);
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} characters)` : text;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
