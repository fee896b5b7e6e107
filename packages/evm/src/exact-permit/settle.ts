/**
 * Settlement of an `exact_permit` payment: re-verify, simulate `permitTransferFrom` from the
 * permit's `caller` (custom errors become reasons, and a doomed call costs no gas), send it from
 * that key's relayer, and poll the receipt for a bounded time.
 */

import type { PaymentPayload, PaymentRequirements, SettleResponse } from '@x402kit/core';
import {
  ExactPermitReasons,
  paymentPermitAbi,
  permitErrorReasonFromText,
  permitTuple,
} from '@x402kit/payment-permit';
import { encodeFunctionData } from 'viem';
import { sameAddress } from '../address.js';
import { settleFailure as failure, unminedSettle, unverifiedSettle } from '../answers.js';
import { errorText } from '../error-text.js';
import { relaySettlement } from '../relayer/relay-settlement.js';
import { type RelayTiming, relayOptions, type SettleCallOptions } from '../relayer/relayed-call.js';
import { hasTransferLog } from '../transfer-log.js';
import { permitErrorReason } from './contract-error.js';
import { type ExactPermitVerifyContext, verifyExactPermitPayment } from './verify.js';

/** The `ctx` parameter of `settleExactPermitPayment`. */
export type ExactPermitSettleContext = ExactPermitVerifyContext &
  RelayTiming & {
    gasLimit: bigint;
    /** `eth_call` the settlement before sending it; default true. */
    preflight: boolean;
  };

/**
 * Settle `payload`. Bad input and reverts are `success: false` with a reason; a receipt that does
 * not come in time is `settlement_pending` with the hash. RPC failures before broadcast throw.
 *
 * @example
 * const result = await settleExactPermitPayment(ctx, payload, requirements, {})
 */
export async function settleExactPermitPayment(
  ctx: ExactPermitSettleContext,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options: SettleCallOptions & { now?: number },
): Promise<SettleResponse> {
  const network = requirements.network;
  const { response, verified } = await verifyExactPermitPayment(ctx, payload, requirements, {
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  if (!response.isValid || !verified) {
    return unverifiedSettle(network, response);
  }
  const { permit, signature } = verified;
  const { net, contract } = verified.network;
  const payer = permit.buyer;
  const relayer = net.relayers.find((r) => sameAddress(r.address, permit.caller));
  if (!relayer) {
    return failure(
      network,
      ExactPermitReasons.callerMismatch,
      '',
      payer,
      `no key of ours is ${permit.caller}`,
    );
  }
  const args = [permitTuple(permit), permit.buyer, signature] as const;
  if (ctx.preflight) {
    try {
      await net.client.simulateContract({
        address: contract,
        abi: paymentPermitAbi,
        functionName: 'permitTransferFrom',
        args,
        account: relayer.address,
      });
    } catch (error) {
      return failure(network, permitErrorReason(error), '', payer, errorText(error));
    }
  }
  const data = encodeFunctionData({ abi: paymentPermitAbi, functionName: 'permitTransferFrom', args });
  const sent = await relaySettlement({
    relayer,
    call: { to: contract, data, gas: ctx.gasLimit },
    client: net.client,
    ...relayOptions(ctx, options),
  });
  if (sent.kind !== 'mined') return unminedSettle(network, payer, sent, permitErrorReasonFromText);
  const { hash, receipt } = sent;
  // the token's Transfer(buyer -> payTo, payAmount): the payment really moved
  const { payToken, payTo, payAmount } = permit.payment;
  const moved = hasTransferLog(receipt, { token: payToken, from: payer, to: payTo, value: payAmount });
  if (receipt.status !== 'success' || !moved) {
    return failure(
      network,
      ExactPermitReasons.transactionFailed,
      hash,
      payer,
      `transaction ${hash} reverted`,
    );
  }
  return { success: true, transaction: hash, network, payer };
}
