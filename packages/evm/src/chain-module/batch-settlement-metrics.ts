/**
 * The facilitator's `batch-settlement` figures as the deployment's metrics: counters of deposits,
 * claims, sweeps and refunds by outcome, and the histogram of claim batch sizes (rows per claim
 * transaction). Internal to the EVM chain module.
 */
import type { ChainStartContext } from '@x402kit/core';
import type { BatchSettleEvent } from '../batch-settlement/facilitator.js';

/** Rows per claim transaction: bucket bounds. */
const ROW_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500] as const;

const COUNTERS = {
  deposit: ['x402kit_batch_settlement_deposits_total', 'batch-settlement deposits relayed, by outcome.'],
  claim: ['x402kit_batch_settlement_claims_total', 'batch-settlement claim transactions, by outcome.'],
  settle: ['x402kit_batch_settlement_sweeps_total', 'batch-settlement sweeps to receivers, by outcome.'],
  refund: ['x402kit_batch_settlement_refunds_total', 'batch-settlement cooperative refunds, by outcome.'],
} as const;

/**
 * The `onSettled` listener that records each settle in `record`.
 *
 * @example createBatchSettlementEvmFacilitator({ networks, signers, onSettled: batchSettlementMetrics(context.record) })
 */
export function batchSettlementMetrics(
  record: NonNullable<ChainStartContext<unknown>['record']>,
): (event: BatchSettleEvent) => void {
  return (event) => {
    const [name, help] = COUNTERS[event.action];
    record({ kind: 'counter', name, help, labels: { network: event.network, outcome: event.outcome } });
    if (event.action === 'claim' && event.outcome === 'settled' && event.rows !== undefined)
      record({
        kind: 'histogram',
        name: 'x402kit_batch_settlement_claim_rows',
        help: 'Channels (rows) per batch-settlement claim transaction.',
        labels: { network: event.network },
        value: event.rows,
        buckets: ROW_BUCKETS,
      });
  };
}
