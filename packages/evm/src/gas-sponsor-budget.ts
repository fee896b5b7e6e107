/**
 * The budget of native gas a facilitator spends on a payer's behalf (a top-up for the payer's own
 * `approve(Permit2)` under `erc20ApprovalGasSponsoring`, the deployment of an ERC-6492 wallet):
 * a cap per payment, and rolling 24-hour budgets per payer and per settlement key. Every such spend
 * is reserved here before anything is sent, and committed (with its transaction) or released after.
 * The types and the rule live in `@x402kit/core` (`SponsorBudget`, `judgeSponsorSpend`), where the
 * facilitator service's database budget implements them too; this module names them for EVM and
 * holds an in-memory budget for a single engine.
 */
import {
  DEFAULT_SPONSOR_LIMITS,
  judgeSponsorSpend,
  type PaymentKey,
  SPONSOR_WINDOW_MS,
  type SponsorBudget,
  type SponsorLimits,
  type SponsorReservation,
  type SponsorSpend,
  sponsorLimits,
} from '@x402kit/core';
import { addressKey } from './address.js';

/** What one payment, one payer and one key may cost in sponsored gas (core's {@link SponsorLimits}). */
export type GasSponsorLimits = SponsorLimits;

/**
 * Defaults: 0.002 native coin per payment (an approval of 100 000 gas at 20 gwei; an honest payer
 * needs one approval ever), 0.004 per payer and 0.1 per key per day.
 */
export const DEFAULT_GAS_SPONSOR_LIMITS: GasSponsorLimits = DEFAULT_SPONSOR_LIMITS;

/** The rolling window of the daily budgets. */
export const GAS_SPONSOR_WINDOW_MS = SPONSOR_WINDOW_MS;

/** What the sponsored gas is for. */
export type GasSponsorKind = 'erc20_approval_top_up' | 'erc6492_deployment';

/**
 * The payment a spend belongs to, in the shape (and namespaces) of the ledger's payment key:
 * Permit2 nonces as `permit2:<decimal>`, EIP-3009 nonces as their bytes32 hex.
 */
export type SponsoredPayment = PaymentKey;

/** One spend to reserve (core's {@link SponsorSpend}). */
export type GasSponsorSpend = SponsorSpend;

/** What a gas-sponsor reservation answers (core's `SponsorReservation`). */
export type GasSponsorReservation = SponsorReservation;

/**
 * A budget of sponsored gas: core's {@link SponsorBudget}, which the facilitator service opens in
 * its database. `reserve` is atomic: of concurrent reservations, no set that together passes a
 * limit is granted.
 */
export type GasSponsorBudget = SponsorBudget;

/**
 * The refusal for a spend of `wei` given what the payer and the key already spent in the window, or
 * `undefined` when it fits. One rule for every budget store (core's `judgeSponsorSpend`).
 *
 * @example
 * judgeGasSponsorSpend(DEFAULT_GAS_SPONSOR_LIMITS, { wei: 10n ** 18n, payerSpent: 0n, keySpent: 0n })
 * // { ok: false, reason: 'gas_sponsoring_cap_exceeded', message: '…' }
 */
export const judgeGasSponsorSpend = judgeSponsorSpend;

/**
 * Check limits given as options: every field a non-negative bigint. Throws a `TypeError` naming
 * the field (core's `sponsorLimits`).
 *
 * @example const limits = gasSponsorLimits({ maxTopUpWei: 10n ** 15n })
 */
export const gasSponsorLimits = sponsorLimits;

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
