/**
 * `x402kit budget`: what the budget file holds (every limit's account: spent, pending, reserved,
 * left) as one JSON object, and `--reset` to clear it (all of it, or one host or tool with `--key`).
 */
import { type BudgetReport, describeBucket } from '@x402kit/core';
import { budgetFilePath } from '../budget/budget-home.js';
import { createFileBudgetStore } from '../budget/file-budget-store.js';
import { type CliContext, type Command, ExitCode, UsageError } from '../command.js';
import { defineCommand } from '../define-command.js';

const usage = `Usage: x402kit budget [--reset [--key HOST]]

Show the budget that \`x402kit pay --budget\` keeps, as ONE JSON object on stdout:
  {"status","file","buckets":[{"limit","unit","window","key","max","spent","pending","reserved","left"}],"error"}
One bucket per limit, window (day:YYYY-MM-DD in UTC, session:<id>, total) and key (the host, for
per-host limits; null otherwise). Amounts are decimals in the unit (USD). "pending" counts payments
whose outcome is unknown and "reserved" payments in flight: both count as spent.

Options:
  --reset          clear the budget (status "reset"); with --key, only that host's or tool's buckets
  --key <key>      with --reset: the host (or tool) to clear
  -h, --help       show this help

Environment:
  X402KIT_HOME     where the budget file lives (default ~/.x402kit): $X402KIT_HOME/budget.json

Exit codes: 0 shown or reset, 1 the budget file cannot be read or locked, 2 bad usage.

Example:
  x402kit budget
  x402kit budget --reset`;

/** The one object `x402kit budget` prints. */
export type BudgetOutcome = {
  status: 'ok' | 'reset' | 'failed' | 'usage_error';
  file: string | null;
  buckets: BudgetReport[];
  error: string | null;
};

/**
 * The `budget` command.
 *
 * @example await budgetCommand.run(['--reset'], context)
 */
export const budgetCommand: Command = defineCommand({
  name: 'budget',
  usage,
  options: { reset: { type: 'boolean' }, key: { type: 'string' } },
  run: ({ values }, context) => runBudget(values, context),
  onError(error, _args, context) {
    if (error instanceof UsageError)
      print(context, { status: 'usage_error', file: null, buckets: [], error: error.message });
  },
});

async function runBudget(values: { reset?: boolean; key?: string }, context: CliContext): Promise<number> {
  if (values.key !== undefined && !values.reset) throw new UsageError('--key goes with --reset');
  const file = budgetFilePath(context.env);
  const store = createFileBudgetStore(file);
  try {
    if (values.reset) {
      const key = values.key;
      await store.update((state) => {
        for (const [id, bucket] of Object.entries(state.buckets))
          if (key === undefined || bucket.key === key) delete state.buckets[id];
      });
    }
    const state = await store.read();
    const buckets = Object.values(state.buckets).map(describeBucket);
    print(context, { status: values.reset ? 'reset' : 'ok', file, buckets, error: null });
    return ExitCode.ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    print(context, { status: 'failed', file, buckets: [], error: message });
    context.stderr(`budget: ${message}\n`);
    return ExitCode.failure;
  }
}

function print(context: CliContext, outcome: BudgetOutcome): void {
  context.stdout(`${JSON.stringify(outcome)}\n`);
}
