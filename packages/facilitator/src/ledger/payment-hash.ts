/**
 * The fingerprint of what was presented for a payment: the sha-256 of the canonical JSON
 * (keys sorted, no spaces) of the normalized payload and requirements. Two presentations of a
 * key with different fingerprints are one authorization used for two offers (a replay).
 */
import { createHash } from 'node:crypto';
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';

/**
 * JSON with object keys sorted at every level; `undefined` members are dropped as `JSON.stringify` does.
 *
 * @example canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] }) // '{"a":[true,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

/**
 * The hex sha-256 of the canonical JSON of `{ payload, requirements }`.
 *
 * @example hashPayment(call.payload, call.requirements) // 'a3f1…' (64 hex characters)
 */
export function hashPayment(payload: PaymentPayload, requirements: PaymentRequirements): string {
  return createHash('sha256').update(canonicalJson({ payload, requirements })).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = sortKeys(Reflect.get(value, key));
    }
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
