import { USD_DECIMALS } from '../internal/usd-value.js';
import { parseUnits } from '../money.js';
import { X402Error } from '../protocol/errors.js';
import { Reasons } from '../protocol/reasons.js';

/** The window a limit counts over: a UTC day, the budget's session, or all time. */
export type BudgetPeriod = 'day' | 'session' | 'total';

/**
 * One limit of a budget. In US dollars (any registered USD stablecoin counts, converted by its
 * decimals), or in one asset's atomic units when `asset` is given.
 */
export type BudgetLimit = {
  /** US dollars as a decimal (`'5'`, `'0.07'`); with `asset`, atomic units of that asset. */
  amount: string | bigint;
  asset?: { network: string; asset: string };
  period: BudgetPeriod;
  /** `key`: a separate allowance per key (the host paid, or the tool called); default one for all. */
  per?: 'all' | 'key';
};

/** A limit in the form a budget counts with: atomic units and a stable label. */
export type ResolvedBudgetLimit = {
  label: string;
  unit: string;
  decimals: number;
  limit: bigint;
  period: BudgetPeriod;
  perKey: boolean;
  asset?: { network: string; asset: string };
};

const SPEC = /^\$?(\d+(?:\.\d+)?)(?:\s*USD)?\/(day|session|total|host|tool)(?:\/(host|tool))?$/i;

/**
 * A limit written as the CLI takes it: `<dollars>/<day|session|total>`, `<dollars>/<host|tool>`
 * (all time, per host or tool), or both (`2/day/host`).
 *
 * @example parseBudgetLimit('5/day') // { amount: '5', period: 'day' }
 * @example parseBudgetLimit('1/host') // { amount: '1', period: 'total', per: 'key' }
 */
export function parseBudgetLimit(text: string): BudgetLimit {
  const m = SPEC.exec(text.trim());
  if (!m) {
    throw new X402Error(
      Reasons.invalidPrice,
      `budget "${text}" is not understood: write <dollars>/<day|session|total|host|tool>, e.g. 5/day, 0.5/session, 1/host, 2/day/host`,
    );
  }
  const [, amount = '', first = '', second] = m;
  const window = first.toLowerCase();
  const byKey = window === 'host' || window === 'tool' || second !== undefined;
  const period: BudgetPeriod = window === 'host' || window === 'tool' ? 'total' : (window as BudgetPeriod);
  return { amount, period, ...(byKey ? { per: 'key' as const } : {}) };
}

/**
 * Atomic units and a label for a limit (`5 USD/day`, `0.5 USD/total per key`).
 *
 * @example resolveBudgetLimit({ amount: '5', period: 'day' }).limit // 5000000000000000000n
 */
export function resolveBudgetLimit(limit: BudgetLimit): ResolvedBudgetLimit {
  const perKey = limit.per === 'key';
  const suffix = `/${limit.period}${perKey ? ' per key' : ''}`;
  if (limit.asset) {
    const atomic = typeof limit.amount === 'bigint' ? limit.amount : BigInt(limit.amount);
    const unit = `${limit.asset.network} ${limit.asset.asset}`;
    return {
      label: `${atomic} ${unit}${suffix}`,
      unit,
      decimals: 0,
      limit: atomic,
      period: limit.period,
      perKey,
      asset: limit.asset,
    };
  }
  const dollars = String(limit.amount);
  return {
    label: `${dollars} USD${suffix}`,
    unit: 'USD',
    decimals: USD_DECIMALS,
    limit: parseUnits(dollars, USD_DECIMALS, 'US dollars'),
    period: limit.period,
    perKey,
  };
}
