/**
 * The fingerprint of what was presented for a payment: the sha-256 of the canonical JSON
 * (keys sorted, no spaces) of the normalized payload and requirements. Two presentations of a
 * key with different fingerprints are one authorization used for two offers (a replay).
 */
import { createHash } from 'node:crypto';
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import { canonicalJson } from '@x402kit/core/internal';

/**
 * The hex sha-256 of the canonical JSON of `{ payload, requirements }`.
 *
 * @example hashPayment(call.payload, call.requirements) // 'a3f1…' (64 hex characters)
 */
export function hashPayment(payload: PaymentPayload, requirements: PaymentRequirements): string {
  return createHash('sha256').update(canonicalJson({ payload, requirements })).digest('hex');
}
