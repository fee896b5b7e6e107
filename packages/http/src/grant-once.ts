/**
 * One payment, one grant, in this process whatever the facilitator says: a payment id presented
 * again gets its stored response (or 409 with another payment), a retry under the same id waits for
 * its first request, and a copy of a payment in progress or already granted is refused with 402
 * `duplicate_settlement` (the facilitator's ledger holds the rule across processes).
 */
import {
  encodePaymentResponseHeader,
  HeaderNames,
  PaymentIdentifierReasons,
  Reasons,
  type SettleResponse,
  settleRefusal,
} from '@x402kit/core';
import { canonicalJson, deepEqual } from '@x402kit/core/internal';
import { grantPayment } from './grant-payment.js';
import {
  copyOf,
  networkOfPayload,
  type PaymentFlow,
  type PaymentResult,
  type RunHandler,
} from './payment-flow.js';
import type { ReadPayment } from './read-payment.js';

/**
 * Grant the payment unless this process already did or is doing so.
 *
 * @example
 * return grantOnce(flow, read, run)
 */
export async function grantOnce(
  flow: PaymentFlow,
  read: ReadPayment,
  run: RunHandler,
): Promise<PaymentResult> {
  const { route, ctx, offers, payload, paymentId } = read;
  if (paymentId !== undefined) {
    const kept = flow.identified.get(paymentId);
    if (kept && deepEqual(kept.payload, payload)) {
      // the one execution this payment bought, delivered again (payment-identifier retry)
      flow.emit('info', `payment id ${paymentId} presented again: its stored response`, { route: route.key });
      return { type: 'response', response: copyOf(kept.response), settlement: kept.settlement };
    }
    if (kept) {
      const error = `${PaymentIdentifierReasons.conflict}: payment id ${paymentId} was already used with another payment`;
      return { type: 'reply', reply: flow.replies.refused(route, ctx, offers, error, 409) };
    }
  }
  const grantKey = canonicalJson(payload.payload);
  const running = flow.active.get(grantKey);
  if (running && paymentId !== undefined) {
    // a retry under the same payment id while its first request runs: wait, then its response
    await running.catch(() => undefined);
    const kept = flow.identified.get(paymentId);
    if (kept && deepEqual(kept.payload, payload)) {
      return { type: 'response', response: copyOf(kept.response), settlement: kept.settlement };
    }
  }
  if (running || flow.granted.get(grantKey)) return replayRefused(flow, read, flow.granted.get(grantKey));
  const granting = grantPayment(flow, { ...read, grantKey }, run);
  flow.active.set(grantKey, granting);
  try {
    return await granting;
  } finally {
    flow.active.delete(grantKey);
  }
}

/** 402 `duplicate_settlement` for a copy of a payment this process is handling or has granted. */
function replayRefused(
  flow: PaymentFlow,
  read: ReadPayment,
  receipt: SettleResponse | undefined,
): PaymentResult {
  const { route, ctx, offers, payload } = read;
  flow.emit(
    'info',
    `payment refused: ${Reasons.duplicateSettlement} (a copy of a payment ${receipt ? 'already granted' : 'in progress'} here)`,
    { route: route.key },
  );
  const reply = flow.replies.refused(route, ctx, offers, Reasons.duplicateSettlement);
  const message = receipt
    ? `this payment was already settled in transaction ${receipt.transaction}; one payment buys one response`
    : 'this payment is already being used by another request; one payment buys one response';
  const settlement = settleRefusal(
    Reasons.duplicateSettlement,
    message,
    networkOfPayload(payload),
    receipt?.transaction ?? '',
    receipt?.payer,
  );
  reply.headers[HeaderNames.paymentResponse] = encodePaymentResponseHeader(settlement);
  return { type: 'reply', reply };
}
