/**
 * Test helpers for `x402kit pay`: run it in this process, as bin.ts runs it (no child start-up
 * time), and read the one JSON object `--json` prints.
 */
import assert from 'node:assert/strict';
import { type PayOutcome, PayStatuses, runCli } from 'x402kit';

/**
 * `x402kit pay <args>` in this process with `env` as its environment.
 *
 * @example const { code, stdout } = await payInProcess([url, '--json'], { PRIVATE_KEY: key })
 */
export async function payInProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['pay', ...args], {
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
 * The one JSON object on stdout, checked to carry every key with a known status.
 *
 * @example parseOutcome(stdout).status // 'paid'
 */
export function parseOutcome(stdout: string): PayOutcome {
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stdout, got: ${stdout}`);
  const value: unknown = JSON.parse(lines[0] ?? '');
  assert.ok(typeof value === 'object' && value !== null);
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
