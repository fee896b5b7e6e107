/**
 * A budget that tells what it spent: each committed spend (its final wei) is reported with its
 * network and kind, for the `x402kit_gas_sponsored_wei_total` counter.
 */
import type { SponsorBudget } from '@x402kit/core';

/**
 * Wrap `budget` so `onSpent` hears every committed spend.
 *
 * @example
 * const budget = withSponsoredGasMetrics(store, (labels, wei) => metrics.countSponsoredGas(labels, wei))
 */
export function withSponsoredGasMetrics(
  budget: SponsorBudget,
  onSpent: (labels: { network: string; kind: string }, wei: bigint) => void,
): SponsorBudget {
  const reserved = new Map<string, { network: string; kind: string; wei: bigint }>();
  return {
    async reserve(spend) {
      const result = await budget.reserve(spend);
      if (result.ok) reserved.set(result.id, { network: spend.network, kind: spend.kind, wei: spend.wei });
      return result;
    },
    async commit(id, sent) {
      await budget.commit(id, sent);
      const spend = reserved.get(id);
      reserved.delete(id);
      if (spend) onSpent({ network: spend.network, kind: spend.kind }, sent.wei ?? spend.wei);
    },
    async release(id) {
      reserved.delete(id);
      await budget.release(id);
    },
  };
}
