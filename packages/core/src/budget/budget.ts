/**
 * A cumulative spending budget for the paying client: limits per day, per session, per host or
 * tool, in US dollars of stablecoins or in one asset's units, kept in a {@link BudgetStore}.
 *
 * Each payment is reserved before it is signed (two payments cannot both take the last dollar:
 * the check and the hold are one store update), then settled: `paid` keeps it spent, `refused`
 * (proven not charged) gives it back, `unknown` keeps it spent as pending.
 */

import { toUsdUnits } from '../internal/usd-value.js';
import { formatUnits } from '../money.js';
import type { Offer } from '../payment-policy.js';
import { X402Error } from '../protocol/errors.js';
import { type BudgetLimit, type ResolvedBudgetLimit, resolveBudgetLimit } from './budget-limit.js';
import { BudgetReasons } from './budget-reasons.js';
import type { BudgetBucket, BudgetState, BudgetStore } from './budget-store.js';

/** How a payment ended, as far as the payer can tell. */
export type PaymentOutcome = 'paid' | 'refused' | 'unknown';

/** A payment reserved against a budget; settle it once its outcome is known. */
export type BudgetHold = {
  readonly id: string;
  settle(outcome: PaymentOutcome): Promise<void>;
};

/** Where a budget stands for one limit: every amount a decimal in the limit's unit. */
export type BudgetReport = {
  limit: string;
  unit: string;
  window: string;
  key: string | null;
  max: string;
  spent: string;
  pending: string;
  reserved: string;
  left: string;
};

/** What a budget would say about paying an offer, without holding anything. */
export type BudgetCheck = {
  allowed: boolean;
  reason: string | null;
  message: string | null;
  report: BudgetReport[];
};

/** The budget the client engine uses: see {@link createBudget}. */
export type PaymentBudget = {
  /** Hold the offer's amount against every limit, or throw `X402Error` (`budget_exceeded` ...). */
  reserve(offer: Offer, context?: { key?: string }): Promise<BudgetHold>;
  /** Whether `reserve` would pass now, and where each limit stands. Holds nothing. */
  check(offer: Offer, context?: { key?: string }): Promise<BudgetCheck>;
  /** Where each limit stands for `key` (the host or tool) now. */
  report(context?: { key?: string }): Promise<BudgetReport[]>;
};

/** Options of `createBudget`. */
export type CreateBudgetOptions = {
  limits: BudgetLimit[];
  store: BudgetStore;
  /** The session `session` limits count in; default a fresh id, so one per budget object. */
  session?: string;
  /** The clock (for the day window); default `Date.now`. */
  now?: () => number;
};

type Charge = {
  bucketId: string;
  limit: ResolvedBudgetLimit;
  window: string;
  key: string | null;
  amount: bigint;
};

/**
 * Create a budget. Give it to `createX402Client({ budget })`; the paying fetch reports each
 * payment's outcome to it.
 *
 * @example
 * const budget = createBudget({ limits: [parseBudgetLimit('5/day'), parseBudgetLimit('1/host')], store: createMemoryBudgetStore() })
 * const client = createX402Client({ schemes, budget })
 * console.log(await budget.report({ key: 'api.example.com' })) // [{ limit: '5 USD/day', left: '5', ... }, ...]
 */
export function createBudget(options: CreateBudgetOptions): PaymentBudget {
  if (options.limits.length === 0)
    throw new X402Error(BudgetReasons.budgetExceeded, 'a budget needs at least one limit');
  const budget: Budget = {
    store: options.store,
    limits: options.limits.map(resolveBudgetLimit),
    session: options.session ?? randomId(),
    now: options.now ?? Date.now,
  };
  return {
    reserve: (offer, context) => reserve(budget, offer, context),
    check: (offer, context) => check(budget, offer, context),
    report: (context) => report(budget, context),
  };
}

/** What the budget's steps share: its store, resolved limits, session and clock. */
type Budget = {
  store: BudgetStore;
  limits: ResolvedBudgetLimit[];
  session: string;
  now: () => number;
};

/** Today's day window (UTC). */
function dayWindow(now: () => number): string {
  return `day:${new Date(now()).toISOString().slice(0, 10)}`;
}

function windowOf(budget: Budget, limit: ResolvedBudgetLimit): string {
  if (limit.period === 'day') return dayWindow(budget.now);
  if (limit.period === 'session') return `session:${budget.session}`;
  return 'total';
}

function bucketOf(budget: Budget, limit: ResolvedBudgetLimit, key: string | undefined) {
  const window = windowOf(budget, limit);
  const bucketKey = limit.perKey ? (key ?? '(none)') : null;
  return { id: `${limit.label}|${window}|${bucketKey ?? '*'}`, window, key: bucketKey };
}

/** The amount of `offer` in each limit that counts it; throws when none does. */
function chargesOf(budget: Budget, offer: Offer, key: string | undefined): Charge[] {
  const { network, asset, amount } = offer.requirements;
  const atomic = BigInt(amount);
  const charges: Charge[] = [];
  for (const limit of budget.limits) {
    const counted = limit.asset
      ? limit.asset.network === network && limit.asset.asset.toLowerCase() === asset.toLowerCase()
        ? atomic
        : undefined
      : toUsdUnits(network, asset, atomic);
    if (counted === undefined) continue;
    const bucket = bucketOf(budget, limit, key);
    charges.push({ bucketId: bucket.id, limit, window: bucket.window, key: bucket.key, amount: counted });
  }
  if (charges.length === 0) {
    throw new X402Error(
      BudgetReasons.budgetAssetNotCounted,
      `the budget (${budget.limits.map((l) => l.label).join(', ')}) cannot count ${amount} of ${asset} on ${network}: ` +
        'it is not a registered USD stablecoin; add a limit in that asset or pay in a stablecoin',
    );
  }
  return charges;
}

function bucketIn(state: BudgetState, charge: Charge): BudgetBucket {
  const existing = state.buckets[charge.bucketId];
  if (existing) return existing;
  const created: BudgetBucket = {
    label: charge.limit.label,
    unit: charge.limit.unit,
    decimals: charge.limit.decimals,
    limit: charge.limit.limit.toString(),
    window: charge.window,
    key: charge.key,
    spent: '0',
    holds: {},
  };
  state.buckets[charge.bucketId] = created;
  return created;
}

/** The first charge that does not fit, with the message that names its limit. */
function overrun(state: BudgetState, charges: Charge[]): string | undefined {
  for (const charge of charges) {
    const bucket = state.buckets[charge.bucketId];
    const used = bucket ? usedOf(bucket) : 0n;
    if (used + charge.amount <= charge.limit.limit) continue;
    const show = (v: bigint) =>
      `${formatUnits(v, charge.limit.decimals)} ${charge.limit.unit === 'USD' ? 'USD' : 'units'}`;
    const left = charge.limit.limit > used ? charge.limit.limit - used : 0n;
    const where = charge.key === null ? '' : ` for ${charge.key}`;
    const resets =
      charge.limit.period === 'day' ? 'wait for the next UTC day, raise the budget' : 'raise the budget';
    return (
      `budget ${charge.limit.label} exceeded${where}: ${show(used)} of ${show(charge.limit.limit)} used, ` +
      `${show(left)} left, this payment is ${show(charge.amount)}; nothing was signed (${resets}, or reset it: x402kit budget --reset)`
    );
  }
  return undefined;
}

function pruneOldDays(state: BudgetState, now: () => number): void {
  const today = dayWindow(now);
  for (const [id, bucket] of Object.entries(state.buckets)) {
    if (bucket.window.startsWith('day:') && bucket.window < today && Object.keys(bucket.holds).length === 0)
      delete state.buckets[id];
  }
}

async function report(budget: Budget, context?: { key?: string }): Promise<BudgetReport[]> {
  const state = await budget.store.read();
  return budget.limits.map((limit) => {
    const bucket = bucketOf(budget, limit, context?.key);
    return reportOf(state.buckets[bucket.id], limit, bucket.window, bucket.key);
  });
}

/** Hold the offer's charges in one store update, or throw `budget_exceeded` with the report. */
async function reserve(budget: Budget, offer: Offer, context?: { key?: string }): Promise<BudgetHold> {
  const charges = chargesOf(budget, offer, context?.key);
  const id = randomId();
  const at = new Date(budget.now()).toISOString();
  const refusal = await budget.store.update((state) => {
    pruneOldDays(state, budget.now);
    const message = overrun(state, charges);
    if (message) return message;
    for (const charge of charges)
      bucketIn(state, charge).holds[id] = { amount: charge.amount.toString(), status: 'reserved', at };
    return undefined;
  });
  if (refusal)
    throw new X402Error(BudgetReasons.budgetExceeded, refusal, {
      details: { report: await report(budget, context) },
    });
  let settled = false;
  return {
    id,
    async settle(outcome) {
      if (settled) return;
      settled = true;
      await budget.store.update((state) => settleHold(state, charges, id, outcome));
    },
  };
}

/** A hold's outcome: `unknown` keeps it as pending, `refused` gives it back, `paid` makes it spent. */
function settleHold(state: BudgetState, charges: Charge[], id: string, outcome: PaymentOutcome): void {
  for (const charge of charges) {
    const bucket = state.buckets[charge.bucketId];
    const hold = bucket?.holds[id];
    if (!bucket || !hold) continue;
    if (outcome === 'unknown') {
      hold.status = 'pending';
      continue;
    }
    delete bucket.holds[id];
    if (outcome === 'paid') bucket.spent = (BigInt(bucket.spent) + BigInt(hold.amount)).toString();
  }
}

async function check(budget: Budget, offer: Offer, context?: { key?: string }): Promise<BudgetCheck> {
  let message: string | null = null;
  let reason: string | null = null;
  try {
    const charges = chargesOf(budget, offer, context?.key);
    message = overrun(await budget.store.read(), charges) ?? null;
    if (message) reason = BudgetReasons.budgetExceeded;
  } catch (error) {
    if (!(error instanceof X402Error)) throw error;
    message = error.message;
    reason = error.reason;
  }
  return { allowed: message === null, reason, message, report: await report(budget, context) };
}

/** Spent, pending and reserved together: what no new payment may take. */
function usedOf(bucket: BudgetBucket): bigint {
  let used = BigInt(bucket.spent);
  for (const hold of Object.values(bucket.holds)) used += BigInt(hold.amount);
  return used;
}

/**
 * A bucket as a report (a missing bucket is an untouched one).
 *
 * @example reportOf(state.buckets[id], limit, 'total', null).left // '4.99'
 */
function reportOf(
  bucket: BudgetBucket | undefined,
  limit: { label: string; unit: string; decimals: number; limit: bigint },
  window: string,
  key: string | null,
): BudgetReport {
  return describeBucket(
    bucket ?? {
      label: limit.label,
      unit: limit.unit,
      decimals: limit.decimals,
      limit: limit.limit.toString(),
      window,
      key,
      spent: '0',
      holds: {},
    },
  );
}

/**
 * A stored bucket in decimal strings: what `x402kit budget` prints for each one.
 *
 * @example describeBucket(bucket) // { limit: '5 USD/day', window: 'day:2026-12-06', spent: '0.07', left: '4.93', ... }
 */
export function describeBucket(bucket: BudgetBucket): BudgetReport {
  const show = (v: bigint) => formatUnits(v, bucket.decimals);
  let pending = 0n;
  let reserved = 0n;
  for (const hold of Object.values(bucket.holds)) {
    if (hold.status === 'pending') pending += BigInt(hold.amount);
    else reserved += BigInt(hold.amount);
  }
  const used = BigInt(bucket.spent) + pending + reserved;
  const max = BigInt(bucket.limit);
  return {
    limit: bucket.label,
    unit: bucket.unit,
    window: bucket.window,
    key: bucket.key,
    max: show(max),
    spent: show(BigInt(bucket.spent)),
    pending: show(pending),
    reserved: show(reserved),
    left: show(max > used ? max - used : 0n),
  };
}

function randomId(): string {
  return globalThis.crypto.randomUUID();
}
