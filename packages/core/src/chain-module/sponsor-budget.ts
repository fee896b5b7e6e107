/**
 * The budget of native coin a facilitator spends on payers' behalf (an approval top-up, a smart
 * wallet's deployment): a cap per payment and rolling 24-hour budgets per payer and per settlement
 * key. A chain module reserves every such spend before sending it and commits (with its
 * transaction) or releases it after; the service keeps the reservations in its database so that
 * instances share one budget. Amounts are in the chain's smallest unit (the fields say `wei`, the
 * unit of the one chain that sponsors today).
 */
import { withReason } from '../protocol/errors.js';
import { Reasons } from '../protocol/reasons.js';
import type { PaymentKey } from './payment-key.js';

/** What one payment, one payer and one key may cost. */
export type SponsorLimits = {
  /** Most one payment may cost. */
  maxTopUpWei: bigint;
  /** Most one payer may be sponsored within 24 hours, per network. */
  perPayerPerDayWei: bigint;
  /** Most one settlement key may spend on sponsoring within 24 hours, per network. */
  perKeyPerDayWei: bigint;
};

/** One spend to reserve. */
export type SponsorSpend = {
  /** What is paid for: `erc20_approval_top_up`, `erc6492_deployment` ... */
  kind: string;
  /** CAIP-2 network. */
  network: string;
  /** The settlement key that pays. */
  key: string;
  /** Who is sponsored. */
  payer: string;
  /** The payment the spend belongs to, in the ledger's key shape. */
  payment: PaymentKey;
  /** The most this spend can cost. */
  wei: bigint;
};

/** What `SponsorBudget.reserve` answers: the reservation's id, or the limit's reason and message. */
export type SponsorReservation = { ok: true; id: string } | { ok: false; reason: string; message: string };

/**
 * A budget of sponsored spends. `reserve` is atomic: of concurrent reservations, no set that
 * together passes a limit is granted.
 */
export type SponsorBudget = {
  /** Reserve `spend.wei`, or refuse with a reason when a limit would be passed. */
  reserve(spend: SponsorSpend): Promise<SponsorReservation>;
  /** The spend was sent as `transaction`; `wei` (at most the reservation) is what it cost, when known. */
  commit(id: string, sent: { transaction: string; wei?: bigint }): Promise<void>;
  /** Nothing was sent: give the reservation back. */
  release(id: string): Promise<void>;
};

/**
 * Defaults: 0.002 native coin per payment (an approval of 100 000 gas at 20 gwei; an honest payer
 * needs one approval ever), 0.004 per payer and 0.1 per key per day.
 */
export const DEFAULT_SPONSOR_LIMITS: SponsorLimits = {
  maxTopUpWei: 2_000_000_000_000_000n,
  perPayerPerDayWei: 4_000_000_000_000_000n,
  perKeyPerDayWei: 100_000_000_000_000_000n,
};

/** The rolling window of the daily budgets. */
export const SPONSOR_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The refusal for a spend of `wei` given what the payer and the key already spent in the window, or
 * `undefined` when it fits. One rule for every budget store.
 *
 * @example
 * judgeSponsorSpend(DEFAULT_SPONSOR_LIMITS, { wei: 10n ** 18n, payerSpent: 0n, keySpent: 0n })
 * // { ok: false, reason: 'gas_sponsoring_cap_exceeded', message: '…' }
 */
export function judgeSponsorSpend(
  limits: SponsorLimits,
  spend: { wei: bigint; payerSpent: bigint; keySpent: bigint },
): { ok: false; reason: string; message: string } | undefined {
  if (spend.wei > limits.maxTopUpWei)
    return {
      ok: false,
      reason: Reasons.gasSponsoringCapExceeded,
      message: `sponsoring this payment would cost ${spend.wei} wei; the facilitator sponsors at most ${limits.maxTopUpWei} wei per payment`,
    };
  if (spend.payerSpent + spend.wei > limits.perPayerPerDayWei)
    return {
      ok: false,
      reason: Reasons.gasSponsoringPayerBudgetExceeded,
      message: `this payer was sponsored ${spend.payerSpent} wei in the last 24 h; ${spend.wei} more passes the ${limits.perPayerPerDayWei} wei budget: pay the gas yourself or retry later`,
    };
  if (spend.keySpent + spend.wei > limits.perKeyPerDayWei)
    return {
      ok: false,
      reason: Reasons.gasSponsoringKeyBudgetExceeded,
      message: `the settlement key spent ${spend.keySpent} wei on sponsoring in the last 24 h; ${spend.wei} more passes its ${limits.perKeyPerDayWei} wei budget`,
    };
  return undefined;
}

/**
 * Limits with the defaults filled in, every field checked to be a non-negative bigint.
 *
 * @throws {TypeError} naming the field, an x402kit error with reason `invalid_argument` ({@link withReason}).
 * @example const limits = sponsorLimits({ maxTopUpWei: 10n ** 15n })
 */
export function sponsorLimits(partial: Partial<SponsorLimits> | undefined): SponsorLimits {
  const limits = { ...DEFAULT_SPONSOR_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'bigint' || value < 0n)
      throw withReason(
        new TypeError(`gasSponsoring.${name} must be a non-negative bigint of wei`),
        Reasons.invalidArgument,
      );
  }
  return limits;
}
