import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BudgetReasons, createBudget, type Offer, parseBudgetLimit, X402Error } from '@x402kit/core';
import { baseSepoliaUsdcRequirements } from '@x402kit/testing/signature-scheme';
import { createFileBudgetStore } from './file-budget-store.js';

const CLI_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** One cent of Base Sepolia USDC. */
const cent: Offer = {
  x402Version: 2,
  index: 0,
  requirements: baseSepoliaUsdcRequirements({ amount: '10000', payTo: '0xB', maxTimeoutSeconds: 60 }),
};

/** A child process that reserves a cent `count` times at once against a 0.07 USD/day budget in `file`. */
function reserveInChild(file: string, count: number): Promise<{ stdout: string }> {
  const script = `
    import { createBudget, parseBudgetLimit } from '@x402kit/core';
    import { createFileBudgetStore } from './src/budget/file-budget-store.ts';
    const budget = createBudget({ limits: [parseBudgetLimit('0.07/day')], store: createFileBudgetStore(${JSON.stringify(file)}) });
    const offer = ${JSON.stringify(cent)};
    const results = await Promise.allSettled(Array.from({ length: ${count} }, () => budget.reserve(offer)));
    console.log(JSON.stringify(results.map((r) => r.status === 'fulfilled' ? 'held' : r.reason.reason)));
  `;
  return promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: CLI_ROOT },
  );
}

describe('createFileBudgetStore', () => {
  it('two processes reserving 10 each against a budget of 7: exactly 7 held between them', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'x402kit-budget-')), 'budget.json');
    const [a, b] = await Promise.all([reserveInChild(file, 10), reserveInChild(file, 10)]);
    const results = [...JSON.parse(a.stdout), ...JSON.parse(b.stdout)] as string[];
    assert.equal(results.filter((r) => r === 'held').length, 7);
    assert.equal(results.filter((r) => r === BudgetReasons.budgetExceeded).length, 13);
    const state = JSON.parse(readFileSync(file, 'utf8'));
    const [bucket] = Object.values(state.buckets) as Array<{ holds: Record<string, unknown> }>;
    assert.equal(Object.keys(bucket?.holds ?? {}).length, 7);
  });

  it('takes over a lock left by a process that died, and refuses a file that is not a budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x402kit-budget-'));
    const file = join(dir, 'budget.json');
    writeFileSync(`${file}.lock`, '999999999'); // no such process
    const budget = createBudget({ limits: [parseBudgetLimit('1/day')], store: createFileBudgetStore(file) });
    await (await budget.reserve(cent)).settle('paid');
    assert.equal((await budget.report())[0]?.spent, '0.01');

    writeFileSync(file, '{"not":"a budget"}');
    await assert.rejects(
      budget.reserve(cent),
      (e: unknown) =>
        e instanceof X402Error &&
        e.reason === BudgetReasons.budgetStoreUnavailable &&
        /x402kit budget --reset/.test(e.message),
    );
  });

  it('gives up waiting for a live lock after lockTimeoutMs', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'x402kit-budget-')), 'budget.json');
    writeFileSync(`${file}.lock`, String(process.pid)); // held by a live process (this one)
    const store = createFileBudgetStore(file, { lockTimeoutMs: 100 });
    await assert.rejects(
      store.update(() => undefined),
      (e: unknown) =>
        e instanceof X402Error &&
        e.reason === BudgetReasons.budgetStoreUnavailable &&
        /stayed locked/.test(e.message),
    );
  });
});
