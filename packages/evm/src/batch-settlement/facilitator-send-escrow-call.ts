/**
 * How every `batch-settlement` transaction is sent: simulated first (`eth_estimateGas` from the relayer
 * that will send it: a revert refuses with the step's `*_simulation_failed`, nothing sent), then relayed
 * with the broadcast reported before the receipt wait. An unknown outcome (the RPC cut after the send, no
 * receipt in time) answers `settlement_pending` with the hash, never a failure; only a proven revert is the
 * step's `*_transaction_failed`.
 */
import type { PaymentRequirements, SchemeFacilitatorContext, SettleResponse } from '@x402kit/core';
import type { Hash, Hex } from 'viem';
import { errorText } from '../error-text.js';
import type { EvmNetwork } from '../evm-network.js';
import { relaySettlement } from '../relayer/relay-settlement.js';
import type { ReceiptSummary } from '../relayer/wait-for-receipt.js';
import { BATCH_SETTLEMENT_ADDRESS } from './constants.js';
import { type BatchFacilitatorContext, refuseSettle } from './facilitator-context.js';
import { BatchSettlementReasons } from './reasons.js';

/** The settle step a transaction belongs to; it names the refusals' reason codes. */
export type EscrowCallStep = 'deposit' | 'claim' | 'settle' | 'refund';

const STEP_REASONS = {
  deposit: [BatchSettlementReasons.depositSimulationFailed, BatchSettlementReasons.depositTransactionFailed],
  claim: [BatchSettlementReasons.claimSimulationFailed, BatchSettlementReasons.claimTransactionFailed],
  settle: [BatchSettlementReasons.settleSimulationFailed, BatchSettlementReasons.settleTransactionFailed],
  refund: [BatchSettlementReasons.refundSimulationFailed, BatchSettlementReasons.refundTransactionFailed],
} as const;

/** One transaction to the escrow. */
export type EscrowCall = {
  network: EvmNetwork;
  /** The escrow calldata. */
  data: Hex;
  requirements: PaymentRequirements;
  /** The settle call's abort signal and broadcast hook. */
  call: Pick<SchemeFacilitatorContext, 'signal' | 'onBroadcast'>;
  step: EscrowCallStep;
  /** The payer the answers name, when there is one. */
  payer?: string;
};

/** A mined, successful transaction, or the answer to give instead. */
export type EscrowCallOutcome =
  | { ok: true; hash: Hash; receipt: ReceiptSummary }
  | { ok: false; response: SettleResponse };

/** Gas headroom over the estimate, in percent. */
const GAS_HEADROOM = 130n;

/**
 * Simulate, send and wait for `data` to the escrow.
 *
 * @example
 * const sent = await sendEscrowCall(ctx, { network, data, requirements, call, step: 'claim' })
 * if (!sent.ok) return sent.response
 */
export async function sendEscrowCall(
  ctx: BatchFacilitatorContext,
  { network, data, requirements, call, step, payer }: EscrowCall,
): Promise<EscrowCallOutcome> {
  const [simulationFailed, transactionFailed] = STEP_REASONS[step];
  const relayer = network.nextRelayer();
  let gas: bigint;
  try {
    gas = await network.client.estimateGas({ account: relayer.address, to: BATCH_SETTLEMENT_ADDRESS, data });
  } catch (error) {
    return {
      ok: false,
      response: refuseSettle(
        requirements,
        simulationFailed,
        `simulation reverted: ${errorText(error)}`,
        payer,
      ),
    };
  }
  const sent = await relaySettlement({
    relayer,
    call: { to: BATCH_SETTLEMENT_ADDRESS, data, gas: (gas * GAS_HEADROOM) / 100n },
    client: network.client,
    pollingIntervalMs: ctx.pollingIntervalMs,
    receiptTimeoutMs: ctx.receiptTimeoutMs,
    ...(call.signal ? { signal: call.signal } : {}),
    ...(call.onBroadcast ? { onBroadcast: call.onBroadcast } : {}),
  });
  if (sent.kind === 'refused')
    return {
      ok: false,
      response: refuseSettle(
        requirements,
        transactionFailed,
        `the node refused the transaction: ${sent.message}`,
        payer,
      ),
    };
  if (sent.kind === 'pending')
    return {
      ok: false,
      response: refuseSettle(
        requirements,
        BatchSettlementReasons.settlementPending,
        sent.message,
        payer,
        sent.hash,
      ),
    };
  if (sent.receipt.status !== 'success')
    return {
      ok: false,
      response: refuseSettle(
        requirements,
        transactionFailed,
        `transaction ${sent.hash} reverted in block ${sent.receipt.blockNumber}`,
        payer,
        sent.hash,
      ),
    };
  return { ok: true, hash: sent.hash, receipt: sent.receipt };
}
