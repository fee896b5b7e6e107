/**
 * The resource server's memory of payments whose settlement is pending, so that the client's retry
 * of the same payload continues the attempt instead of being refused as a replay. Module-internal
 * to `resource-server.ts`.
 */
import { canonicalJson } from './canonical-json.js';
import { createExpiringMap } from './expiring-map.js';
import type { AnyPaymentPayload, PaymentRequirements } from './protocol/schemas.js';
import type { PendingPayment } from './resource-server-types.js';

/** See {@link createPendingMemory}. */
export type PendingMemory = {
  get(payload: AnyPaymentPayload, requirements: PaymentRequirements): PendingPayment | undefined;
  take(payload: AnyPaymentPayload, requirements: PaymentRequirements): PendingPayment | undefined;
  remember(payload: AnyPaymentPayload, requirements: PaymentRequirements, entry: PendingPayment): void;
  forget(payload: AnyPaymentPayload, requirements: PaymentRequirements): void;
};

/**
 * Bounded, expiring memory of payments whose settlement is pending, keyed by their canonical JSON.
 *
 * @example
 * const pending = createPendingMemory({ ttlMs: 600_000 })
 * pending.remember(payload, requirements, { attempt })
 * pending.take(payload, requirements) // { attempt }, then undefined
 */
export function createPendingMemory(options: { ttlMs?: number; maxEntries?: number } = {}): PendingMemory {
  const entries = createExpiringMap<string, PendingPayment>({
    ttlMs: options.ttlMs ?? 600_000,
    maxEntries: options.maxEntries ?? 10_000,
  });
  const keyOf = (payload: AnyPaymentPayload, requirements: PaymentRequirements) =>
    canonicalJson({ payload, requirements });
  return {
    get: (payload, requirements) =>
      entries.size === 0 ? undefined : entries.get(keyOf(payload, requirements)),
    take: (payload, requirements) =>
      entries.size === 0 ? undefined : entries.take(keyOf(payload, requirements)),
    remember: (payload, requirements, entry) => entries.set(keyOf(payload, requirements), entry),
    forget(payload, requirements) {
      if (entries.size > 0) entries.delete(keyOf(payload, requirements));
    },
  };
}
