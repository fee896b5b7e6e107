/**
 * Read the payment of a request on a paid route: decode `PAYMENT-SIGNATURE` (else `X-PAYMENT`),
 * refuse v1 when it is off, match it to one of the route's offers, and check its payment id when
 * the route declares `payment-identifier`. Each refusal is a 402 (400 for a bad payment id)
 * carrying the route's offers.
 */
import {
  type AnyPaymentPayload,
  checkPaymentIdentifier,
  decodePaymentSignatureHeader,
  PAYMENT_IDENTIFIER,
  type PaymentRequirements,
  Reasons,
  type ResourceInfo,
  readPaymentIdentifier,
} from '@x402kit/core';
import { describe, type PaymentFlow, type PaymentResult, type RouteCall } from './payment-flow.js';
import { resourceOf } from './route-offers.js';

/** A payment read and matched: what {@link grantOnce} needs. */
export type ReadPayment = RouteCall & {
  payload: AnyPaymentPayload;
  requirements: PaymentRequirements;
  resource: ResourceInfo;
  paymentId: string | undefined;
};

const NO_MATCH_ERROR = 'No matching payment requirements';

/**
 * The payment, or the refusal to send.
 *
 * @example
 * const read = readPayment(flow, { route, ctx, offers }, header)
 * if ('type' in read) return read
 */
export function readPayment(flow: PaymentFlow, call: RouteCall, header: string): ReadPayment | PaymentResult {
  const { route, ctx, offers } = call;
  const refused = (error: string, status?: number): PaymentResult => ({
    type: 'reply',
    reply: flow.replies.refused(route, ctx, offers, error, status),
  });
  let payload: AnyPaymentPayload;
  try {
    payload = decodePaymentSignatureHeader(header, { maxLength: flow.maxPaymentHeaderLength });
  } catch (error) {
    const message = describe(error);
    flow.emit('debug', `undecodable payment header: ${message}`, { route: route.key });
    return refused(`${Reasons.invalidPaymentHeader}: ${message}`);
  }
  if (payload.x402Version === 1 && !flow.v1) {
    return refused(
      `${Reasons.invalidX402Version}: x402 v1 payments are not accepted here; pay with x402 v2 (PAYMENT-SIGNATURE)`,
    );
  }
  const requirements = flow.server.findMatchingRequirements(offers.accepts, payload);
  if (!requirements) return refused(NO_MATCH_ERROR);
  const declared = route.config.extensions?.[PAYMENT_IDENTIFIER];
  const idRefusal = declared === undefined ? undefined : checkPaymentIdentifier(declared, payload);
  if (idRefusal) {
    flow.emit('info', `payment refused: ${idRefusal.reason}`, { route: route.key });
    return refused(idRefusal.reason, 400);
  }
  return {
    ...call,
    payload,
    requirements,
    resource: resourceOf(route, ctx),
    paymentId: declared === undefined ? undefined : identifierOf(payload),
  };
}

function identifierOf(payload: AnyPaymentPayload): string | undefined {
  const found = readPaymentIdentifier(payload);
  return found.present && found.valid ? found.id : undefined;
}
