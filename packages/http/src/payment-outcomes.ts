/**
 * The answers once a payment's settlement is known: settled (the handler's response with
 * `PAYMENT-RESPONSE`, remembered as granted), pending (202 with the hash and `Retry-After`, never a
 * fresh 402) or failed (402 with `PAYMENT-RESPONSE`, the handler's output withheld).
 */
import { encodePaymentResponseHeader, HeaderNames, Reasons, type SettleResponse } from '@x402kit/core';
import type { BufferedResponse } from './buffered-response.js';
import { type Call, copyOf, internalError, type PaymentFlow, type PaymentResult } from './payment-flow.js';
import { mergeExposeHeaders, NO_STORE } from './response-headers.js';

/**
 * Whether the facilitator sent the transaction but has not seen its receipt yet.
 *
 * @example
 * if (isPending(settlement)) return pendingReply(flow, call, settlement)
 */
export function isPending(settlement: SettleResponse): boolean {
  return !settlement.success && settlement.errorReason === Reasons.settlementPending;
}

/**
 * 202 for a pending settlement.
 *
 * @example
 * return pendingReply(flow, call, settlement)
 */
export function pendingReply(flow: PaymentFlow, call: Call, settlement: SettleResponse): PaymentResult {
  // never a fresh 402 here: it would invite the client to pay a second time
  flow.emit('info', `settlement pending: ${settlement.transaction || '(no hash yet)'}; answered 202`, {
    route: call.route.key,
  });
  return {
    type: 'reply',
    reply: flow.replies.settlementPending(call.payload, settlement, flow.pendingRetryAfterSeconds),
    settlement,
  };
}

/**
 * 402 for a failed settlement, the handler's output withheld.
 *
 * @example
 * if (!settlement.success) return failedReply(flow, call, settlement)
 */
export async function failedReply(
  flow: PaymentFlow,
  call: Call,
  settlement: SettleResponse,
): Promise<PaymentResult> {
  const { route, ctx, offers, payload } = call;
  flow.emit('warn', `settlement failed: ${settlement.errorReason ?? 'unknown'}; the response was withheld`, {
    route: route.key,
    errorMessage: settlement.errorMessage,
  });
  try {
    return {
      type: 'reply',
      reply: await flow.replies.settlementFailed(route, ctx, offers, payload, settlement),
      settlement,
    };
  } catch (error) {
    return {
      type: 'reply',
      reply: internalError(flow, error, 'settlementFailedResponseBody failed', route),
      settlement,
    };
  }
}

/**
 * The handler's response of a settled payment, with the receipt; the payment is remembered as
 * granted, and its response under its payment id.
 *
 * @example
 * return paidResponse(flow, call, output.response, settlement)
 */
export function paidResponse(
  flow: PaymentFlow,
  call: Call,
  response: BufferedResponse,
  settlement: SettleResponse,
): PaymentResult {
  const encoded = encodePaymentResponseHeader(settlement);
  response.headers.set(HeaderNames.paymentResponse, encoded);
  if (call.payload.x402Version === 1) response.headers.set(HeaderNames.xPaymentResponse, encoded);
  response.headers.set('Cache-Control', NO_STORE);
  response.headers.set(
    'Access-Control-Expose-Headers',
    mergeExposeHeaders(response.headers.get('Access-Control-Expose-Headers')),
  );
  flow.emit('info', `payment settled: ${settlement.transaction}`, {
    route: call.route.key,
    payer: settlement.payer,
    amount: settlement.amount,
  });
  flow.granted.set(call.grantKey, settlement);
  if (call.paymentId !== undefined) {
    flow.identified.set(call.paymentId, { payload: call.payload, response: copyOf(response), settlement });
  }
  return { type: 'response', response, settlement };
}
