/**
 * The verify step of a paid request: ask the facilitator (which reserves the payment for this
 * attempt); a refusal is a 402 naming the reason (412 for `permit2_allowance_required`, 409 for a
 * payment id conflict), and a replay is told which transaction its payment already went into.
 */
import {
  encodePaymentResponseHeader,
  HeaderNames,
  PaymentIdentifierReasons,
  Reasons,
  settleRefusal,
  type VerifyResponse,
  X402Error,
} from '@x402kit/core';
import { type Call, networkOfPayload, type PaymentFlow, type PaymentResult } from './payment-flow.js';

/**
 * Verify; the refusal to send, or `undefined` when the payment is valid.
 *
 * @example
 * const refusal = await verifyPayment(flow, call)
 * if (refusal) return refusal
 */
export async function verifyPayment(flow: PaymentFlow, call: Call): Promise<PaymentResult | undefined> {
  const { route, ctx, offers, payload, requirements, resource, attempt } = call;
  let verified: VerifyResponse;
  try {
    verified = await flow.server.verify(payload, requirements, { resource, attempt });
  } catch (error) {
    verified = {
      isValid: false,
      invalidReason: error instanceof X402Error ? error.reason : Reasons.unexpectedVerifyError,
    };
  }
  if (verified.isValid) return undefined;
  const reason = verified.invalidReason ?? Reasons.invalidPayload;
  flow.emit(
    'info',
    `payment refused: ${reason}${verified.invalidMessage ? ` (${verified.invalidMessage})` : ''}`,
    { route: route.key, payer: verified.payer },
  );
  const status =
    reason === Reasons.permit2AllowanceRequired
      ? 412
      : reason === PaymentIdentifierReasons.conflict
        ? 409
        : 402;
  const reply = flow.replies.refused(route, ctx, offers, reason, status);
  // a replay is told which transaction its payment already went into, when the facilitator says
  const transaction = Reflect.get(verified, 'transaction');
  if (reason === Reasons.duplicateSettlement && typeof transaction === 'string' && transaction !== '') {
    const settlement = settleRefusal(reason, verified.invalidMessage, networkOfPayload(payload), transaction);
    reply.headers[HeaderNames.paymentResponse] = encodePaymentResponseHeader(settlement);
  }
  return { type: 'reply', reply };
}
