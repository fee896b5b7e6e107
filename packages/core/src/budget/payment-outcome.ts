import { Reasons } from '../protocol/reasons.js';
import type { PaymentOutcome } from './budget.js';

/**
 * The outcome a refusal proves, for a budget: `refused` (nothing moved, the hold is given back),
 * except `settlement_pending` (sent, not yet final) and `duplicate_settlement` (this very
 * authorization is spent, or being spent, by another request: another instance, a copy), which are
 * `unknown` and stay counted: a budget never gives back money that may have moved.
 *
 * @example
 * outcomeOfRefusal(settlement.errorReason) // 'refused', or 'unknown' for a pending or duplicate one
 */
export function outcomeOfRefusal(reason: string | undefined): PaymentOutcome {
  return reason === Reasons.settlementPending || reason === Reasons.duplicateSettlement
    ? 'unknown'
    : 'refused';
}
