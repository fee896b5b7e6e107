/**
 * The settle step of a paid request, and the check that stands in for verify when the route
 * settles before its handler. A facilitator that throws is a failed settlement, never an exception.
 */
import { Reasons, type SettleResponse, X402Error } from '@x402kit/core';
import {
  type Call,
  describe,
  networkOfPayload,
  type PaymentFlow,
  type PaymentResult,
} from './payment-flow.js';

/**
 * Settle the payment for this attempt, for `amount` when the handler's overrides asked one.
 *
 * @example
 * const settlement = await settlePayment(flow, call, output.amount)
 */
export async function settlePayment(
  flow: PaymentFlow,
  call: Call,
  amount: string | undefined,
): Promise<SettleResponse> {
  const { payload, requirements, resource, attempt } = call;
  try {
    return await flow.server.settle(payload, requirements, {
      resource,
      attempt,
      ...(amount === undefined ? {} : { amount }),
    });
  } catch (error) {
    return {
      success: false,
      errorReason: error instanceof X402Error ? error.reason : Reasons.unexpectedSettleError,
      errorMessage: describe(error),
      transaction: '',
      network: networkOfPayload(payload),
    };
  }
}

/**
 * What verify would have checked on this side before the facilitator sees the payment (routes
 * that settle before their handler): the 402 to send, or `undefined`.
 *
 * @example
 * const refusal = await checkBeforeSettling(flow, call)
 * if (refusal) return refusal
 */
export async function checkBeforeSettling(flow: PaymentFlow, call: Call): Promise<PaymentResult | undefined> {
  const refused = await flow.server.checkPayment(call.payload, call.requirements);
  if (!refused) return undefined;
  const reason = refused.invalidReason ?? Reasons.invalidPayload;
  flow.emit('info', `payment refused: ${reason} (${refused.invalidMessage ?? ''})`, {
    route: call.route.key,
  });
  return { type: 'reply', reply: flow.replies.refused(call.route, call.ctx, call.offers, reason) };
}
