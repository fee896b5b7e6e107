import { defineReasons } from '../protocol/reason-registry.js';

/**
 * Reason codes of the paying client's spending limits: the default per-payment cap and budgets.
 * Client side only: they never travel on the wire.
 *
 * @example
 * catch (e) { if (e instanceof X402Error && e.reason === BudgetReasons.budgetExceeded) stop() }
 */
export const BudgetReasons = defineReasons('@x402kit/core/budget', {
  /** No cap was configured and the price is above the default one ($1 of a USD stablecoin). */
  aboveDefaultCap: 'amount_above_default_cap',
  /** The payment would take a budget past its limit; nothing was signed. */
  budgetExceeded: 'budget_exceeded',
  /** No budget limit can count this payment (an asset it does not know): refused, fail closed. */
  budgetAssetNotCounted: 'budget_asset_not_counted',
  /** The budget's store could not be read or locked in time; nothing was signed. */
  budgetStoreUnavailable: 'budget_store_unavailable',
});
