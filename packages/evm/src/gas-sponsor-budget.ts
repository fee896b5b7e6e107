/**
 * The budget of native gas a facilitator spends on a payer's behalf (a top-up for the payer's own
 * `approve(Permit2)` under `erc20ApprovalGasSponsoring`, the deployment of an ERC-6492 wallet):
 * a cap per payment, and rolling 24-hour budgets per payer and per settlement key. Every such spend
 * is reserved here before anything is sent, and committed (with its transaction) or released after.
 * The facilitator service keeps the reservations in its database so instances share them; this
 * module holds the rule and an in-memory budget for a single engine.
 */
import { Reasons } from '@x402kit/core';
import type { Address, Hash } from 'viem';
import { addressKey } from './address.js';

/** What one payment, one payer and one key may cost in sponsored gas (wei of the chain's native coin). */
export type GasSponsorLimits = {
  /** Most one payment may cost (a top-up's value, a deployment's gas limit x max fee). */
  maxTopUpWei: bigint;
  /** Most one payer may be sponsored within 24 hours, per network. */
  perPayerPerDayWei: bigint;
  /** Most one settlement key may spend on sponsoring within 24 hours, per network. */
  perKeyPerDayWei: bigint;
};

/**
 * Defaults: 0.002 native coin per payment (an approval of 100 000 gas at 20 gwei; an honest payer
 * needs one approval ever), 0.004 per payer and 0.1 per key per day.
 */
export const DEFAULT_GAS_SPONSOR_LIMITS: GasSponsorLimits = {
  maxTopUpWei: 2_000_000_000_000_000n,
  perPayerPerDayWei: 4_000_000_000_000_000n,
  perKeyPerDayWei: 100_000_000_000_000_000n,
};

/** The rolling window of the daily budgets. */
export const GAS_SPONSOR_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What the sponsored gas is for. */
export type GasSponsorKind = 'erc20_approval_top_up' | 'erc6492_deployment';

/**
 * The payment a spend belongs to, in the shape (and namespaces) of the ledger's payment key:
 * Permit2 nonces as `permit2:<decimal>`, EIP-3009 nonces as their bytes32 hex.
 */
export type SponsoredPayment = { network: string; asset: string; payer: string; nonce: string };

/** One spend to reserve. */
export type GasSponsorSpend = {
  kind: GasSponsorKind;
  /** CAIP-2 network. */
  network: string;
  /** The settlement key that pays. */
  key: Address;
  /** Who is sponsored. */
  payer: Address;
  payment: SponsoredPayment;
  /** The most this spend can cost. */
  wei: bigint;
};

export type GasSponsorReservation = { ok: true; id: string } | { ok: false; reason: string; message: string };

/**
 * A budget of sponsored gas. `reserve` is atomic: of concurrent reservations, no set that together
 * passes a limit is granted.
 */
export type GasSponsorBudget = {
  /** Reserve `spend.wei`, or refuse with a reason when a limit would be passed. */
  reserve(spend: GasSponsorSpend): Promise<GasSponsorReservation>;
  /** The spend was sent as `transaction`; `wei` (≤ the reservation) is what it really cost, when known. */
  commit(id: string, sent: { transaction: Hash; wei?: bigint }): Promise<void>;
  /** Nothing was sent: give the reservation back. */
  release(id: string): Promise<void>;
};

/**
 * The refusal for a spend of `wei` given what the payer and the key already spent in the window, or
 * `undefined` when it fits. One rule for every budget store.
 *
 * @example
 * judgeGasSponsorSpend(DEFAULT_GAS_SPONSOR_LIMITS, { wei: 10n ** 18n, payerSpent: 0n, keySpent: 0n })
 * // { ok: false, reason: 'gas_sponsoring_cap_exceeded', message: '…' }
 */
export function judgeGasSponsorSpend(
  limits: GasSponsorLimits,
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
 * Check limits given as options: every field a non-negative bigint. Throws a `TypeError` naming
 * the field.
 *
 * @example const limits = gasSponsorLimits({ maxTopUpWei: 10n ** 15n })
 */
export function gasSponsorLimits(partial: Partial<GasSponsorLimits> | undefined): GasSponsorLimits {
  const limits = { ...DEFAULT_GAS_SPONSOR_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'bigint' || value < 0n)
      throw new TypeError(`gasSponsoring.${name} must be a non-negative bigint of wei`);
  }
  return limits;
}

/**
 * A budget in this process's memory: right for one engine; a facilitator with several instances
 * uses its database's budget instead (`@x402kit/facilitator`).
 *
 * @example
 * const budget = createMemoryGasSponsorBudget({ maxTopUpWei: 10n ** 15n })
 * const r = await budget.reserve({ kind: 'erc20_approval_top_up', network, key, payer, payment, wei })
 */
export function createMemoryGasSponsorBudget(
  limits?: Partial<GasSponsorLimits>,
  now: () => number = Date.now,
): GasSponsorBudget {
  const rule = gasSponsorLimits(limits);
  const spends = new Map<string, { network: string; key: string; payer: string; wei: bigint; at: number }>();
  let next = 0;
  const spent = (match: (s: { network: string; key: string; payer: string }) => boolean) => {
    const since = now() - GAS_SPONSOR_WINDOW_MS;
    let sum = 0n;
    for (const s of spends.values()) if (s.at >= since && match(s)) sum += s.wei;
    return sum;
  };
  return {
    async reserve(spend) {
      const key = addressKey(spend.key);
      const payer = addressKey(spend.payer);
      const refused = judgeGasSponsorSpend(rule, {
        wei: spend.wei,
        payerSpent: spent((s) => s.network === spend.network && s.payer === payer),
        keySpent: spent((s) => s.network === spend.network && s.key === key),
      });
      if (refused) return refused;
      const id = `memory-${++next}`;
      spends.set(id, { network: spend.network, key, payer, wei: spend.wei, at: now() });
      return { ok: true, id };
    },
    async commit(id, sent) {
      const s = spends.get(id);
      if (s && sent.wei !== undefined && sent.wei < s.wei) s.wei = sent.wei;
    },
    async release(id) {
      spends.delete(id);
    },
  };
}
