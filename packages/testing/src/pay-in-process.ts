/**
 * Test helpers for `x402kit pay` and the other commands: run them in this process, as bin.ts runs them (no child start-up
 * time), and read the one JSON object `--json` prints.
 */
import assert from 'node:assert/strict';
import { type PayOutcome, PayStatuses, runCli } from 'x402kit';

/**
 * `x402kit <args>` in this process (as bin.ts runs it) with `env` as its environment.
 *
 * @example const { code, stdout } = await cliInProcess(['budget', '--reset'], { X402KIT_BUDGET_FILE: file })
 */
export async function cliInProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

/**
 * `x402kit pay <args>` in this process with `env` as its environment.
 *
 * @example const { code, stdout } = await payInProcess([url, '--json'], { PRIVATE_KEY: key })
 */
export function payInProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliInProcess(['pay', ...args], env);
}

/**
 * The one JSON object on stdout (a `--json` command prints exactly one line).
 *
 * @example oneJsonLine(stdout).status // 'reset'
 */
export function oneJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stdout, got: ${stdout}`);
  const value: unknown = JSON.parse(lines[0] ?? '');
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value));
  return { ...value };
}

/**
 * The one JSON object on stdout, checked to carry every key with a known status.
 *
 * @example parseOutcome(stdout).status // 'paid'
 */
export function parseOutcome(stdout: string): PayOutcome {
  const value = oneJsonLine(stdout);
  assert.deepEqual(Object.keys(value).sort(), [
    'body',
    'error',
    'httpStatus',
    'paymentResponse',
    'reason',
    'status',
    'transaction',
  ]);
  const outcome = value as PayOutcome; // every key checked above
  assert.ok(PayStatuses.includes(outcome.status), `unknown status ${String(outcome.status)}`);
  return outcome;
}
