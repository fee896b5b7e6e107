/**
 * What every step of the `batch-settlement` facilitator shares: the served networks (client,
 * relayers), the receiver-authorizer key it signs delegated claims and refunds with, its timing,
 * and the answers every step words the same way.
 */

import type { PaymentRequirements, SettleResponse, VerifyResponse } from '@x402kit/core';
import { settleRefusal, verifyRefusal } from '@x402kit/core';
import type { LocalAccount } from 'viem';
import type { EvmNetwork } from '../evm-network.js';
import { BatchSettlementReasons } from './reasons.js';

/** The facilitator's shared state, built once by `createBatchSettlementEvmFacilitator`. */
export type BatchFacilitatorContext = {
  networkFor(network: string): EvmNetwork | undefined;
  /** Signs `ClaimBatch` and `Refund` for channels whose `receiverAuthorizer` is this key. */
  authorizer: LocalAccount | undefined;
  receiptTimeoutMs: number;
  pollingIntervalMs: number;
  /** Run `task` after every earlier task of `key` ended (one sweep per receiver and token at a time). */
  serialize<T>(key: string, task: () => Promise<T>): Promise<T>;
};

/**
 * The served network of `requirements`, or the refusal to answer when it is not served here.
 *
 * @example
 * const network = servedNetwork(ctx, requirements)
 * if ('success' in network) return network
 */
export function servedNetwork(
  ctx: BatchFacilitatorContext,
  requirements: PaymentRequirements,
  payer?: string,
): EvmNetwork | SettleResponse {
  return (
    ctx.networkFor(requirements.network) ??
    refuseSettle(
      requirements,
      BatchSettlementReasons.networkMismatch,
      `${requirements.network} is not served here`,
      payer,
    )
  );
}

/** A verify refusal with its reason and message. */
export function refuseVerify(reason: string, message: string, payer?: string): VerifyResponse {
  return verifyRefusal(reason, message, payer);
}

/** A settle refusal on the requirements' network, with the transaction when one was sent. */
export function refuseSettle(
  requirements: PaymentRequirements,
  reason: string,
  message: string,
  payer?: string,
  transaction = '',
): SettleResponse {
  return settleRefusal(reason, message, requirements.network, transaction, payer);
}

/**
 * Run tasks one after the other per key, in process.
 *
 * @example
 * const serialize = createSerializer()
 * await serialize('eip155:1|0xrec|0xtok', () => sweep())
 */
export function createSerializer(): BatchFacilitatorContext['serialize'] {
  const tails = new Map<string, Promise<unknown>>();
  return (key, task) => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
