/**
 * What `x402kit pay --dry-run` prints: the payment it would make (scheme, chain, asset, amount, to
 * whom), whether a budget would allow it and what is left, and nothing signed or sent.
 */
import { type BudgetCheck, type BudgetReport, findAsset, formatUnits, type Offer } from '@x402kit/core';
import { ExitCode } from '../../command.js';
import { exitCodeOf, type PayOutcome, type PayStatus } from './pay-outcome.js';

/** `dry_run`: a payment would be made; otherwise the status a real run would have ended with before paying. */
export type DryRunStatus = 'dry_run' | PayStatus;

/** The payment a dry run would make. */
export type DryRunPayment = {
  scheme: string;
  network: string;
  /** The asset's address or mint. */
  asset: string;
  /** Its registered symbol, or null when the asset is not registered. */
  symbol: string | null;
  /** Atomic units, as the 402 asks. */
  amount: string;
  /** The amount in the asset's units (`0.01`), or null when its decimals are unknown. */
  value: string | null;
  payTo: string;
  x402Version: number;
};

/** The one JSON object of `--dry-run`: every key always present, `null` when unknown. */
export type DryRunOutcome = {
  status: DryRunStatus;
  httpStatus: number | null;
  reason: string | null;
  payment: DryRunPayment | null;
  /** Each budget limit now (with `--budget`), else null. */
  budget: BudgetReport[] | null;
  error: string | null;
};

/**
 * The dry run of a 402 the client would pay: `dry_run`, or `refused` when the budget would not allow it.
 *
 * @example dryRunOutcome({ offer, httpStatus: 402, check: await budget.check(offer) }).payment?.value // '0.01'
 */
export function dryRunOutcome(input: {
  offer: Offer;
  httpStatus: number;
  check: BudgetCheck | undefined;
}): DryRunOutcome {
  const { offer, httpStatus, check } = input;
  const { scheme, network, asset, amount, payTo } = offer.requirements;
  const info = findAsset(network, asset);
  const payment: DryRunPayment = {
    scheme,
    network,
    asset,
    symbol: info?.symbol ?? null,
    amount,
    value: info ? formatUnits(BigInt(amount), info.decimals) : null,
    payTo,
    x402Version: offer.x402Version,
  };
  const budget = check?.report ?? null;
  if (check && !check.allowed)
    return { status: 'refused', httpStatus, reason: check.reason, payment, budget, error: check.message };
  return { status: 'dry_run', httpStatus, reason: null, payment, budget, error: null };
}

/**
 * The dry run of a run that would not pay (free, refused by a cap, cannot pay, unreachable).
 *
 * @example dryRunOf(outcome, null).status // 'free'
 */
export function dryRunOf(outcome: PayOutcome, budget: BudgetReport[] | null): DryRunOutcome {
  const { status, httpStatus, reason, error } = outcome;
  return { status, httpStatus, reason, payment: null, budget, error };
}

/**
 * The exit code of a dry run: 0 when it would pay (or nothing is asked), else as a real run.
 *
 * @example dryRunExitCode(dryRunOutcome(...)) // 0
 */
export function dryRunExitCode(outcome: DryRunOutcome): number {
  if (outcome.status === 'dry_run') return ExitCode.ok;
  return exitCodeOf({
    ...outcome,
    status: outcome.status,
    transaction: null,
    body: null,
    paymentResponse: null,
  });
}
