/**
 * What a payment was presented with, kept in the ledger row (`payment` column) so a background
 * reconciler can look the settlement up on chain long after the request that claimed it is gone.
 */

import { z } from 'zod';
import { PaymentPayload, PaymentRequirements, type X402Version } from '../protocol/schemas.js';

/** The parts of a facilitator call a reconciler needs. */
export type StoredPayment = {
  x402Version: X402Version;
  payload: PaymentPayload;
  requirements: PaymentRequirements;
};

const StoredPaymentSchema = z.object({
  x402Version: z.union([z.literal(1), z.literal(2)]),
  payload: PaymentPayload,
  requirements: PaymentRequirements,
});

/**
 * The JSON text stored with a claim.
 *
 * @example ledger.claim(key, { payloadHash: hash, owner: instanceId, payment: encodeStoredPayment(call) })
 */
export function encodeStoredPayment(payment: StoredPayment): string {
  return JSON.stringify({
    x402Version: payment.x402Version,
    payload: payment.payload,
    requirements: payment.requirements,
  });
}

/**
 * Read back a stored payment; `undefined` when the text is absent or not one (an old row).
 *
 * @example const payment = decodeStoredPayment(row.payment)
 */
export function decodeStoredPayment(text: string | undefined): StoredPayment | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = StoredPaymentSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
