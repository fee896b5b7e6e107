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
  type SessionVerdict,
  settleRefusal,
  X402Error,
} from '@x402kit/core';
import {
  type Call,
  type HeldOutput,
  networkOfPayload,
  type PaymentFlow,
  type PaymentResult,
} from './payment-flow.js';

/**
 * Verify; the refusal to send, or `undefined` when the payment is valid, or (a scheme that answers
 * a payment operation itself, such as a cooperative refund) `{ skipHandler }`, the output that stands
 * in for the handler's.
 *
 * @example
 * const refusal = await verifyPayment(flow, call)
 * if (refusal) return refusal
 */
export async function verifyPayment(
  flow: PaymentFlow,
  call: Call,
): Promise<PaymentResult | { skipHandler: HeldOutput } | undefined> {
  const { route, ctx, offers, payload, requirements, resource, attempt } = call;
  let verified: SessionVerdict;
  try {
    verified = await flow.server.verify(payload, requirements, { resource, attempt });
  } catch (error) {
    verified = {
      isValid: false,
      invalidReason: error instanceof X402Error ? error.reason : Reasons.unexpectedVerifyError,
    };
  }
  if (verified.isValid) {
    return verified.skipHandler
      ? { skipHandler: { response: standInResponse(verified.skipHandler) } }
      : undefined;
  }
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
  // a scheme that keeps state per payer (channels) re-sends its offer corrected for this payer
  const corrected = verified.correctedRequirements;
  const reply = flow.replies.refused(
    route,
    ctx,
    corrected ? { accepts: offers.accepts.map((a) => (a === requirements ? corrected : a)) } : offers,
    reason,
    status,
  );
  // a replay is told which transaction its payment already went into, when the facilitator says
  const transaction = Reflect.get(verified, 'transaction');
  if (reason === Reasons.duplicateSettlement && typeof transaction === 'string' && transaction !== '') {
    const settlement = settleRefusal(reason, verified.invalidMessage, networkOfPayload(payload), transaction);
    reply.headers[HeaderNames.paymentResponse] = encodePaymentResponseHeader(settlement);
  }
  return { type: 'reply', reply };
}

/** The response a scheme gave in place of the handler, as a buffered response (JSON unless a string). */
function standInResponse(answer: NonNullable<SessionVerdict['skipHandler']>): HeldOutput['response'] {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  return {
    status: answer.status ?? 200,
    statusText: 'OK',
    headers: new Headers({ 'Content-Type': answer.contentType }),
    body: new TextEncoder().encode(text),
  };
}
