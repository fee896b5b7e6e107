/**
 * The engine with a catalog behind it: every successful settlement whose payment declares the
 * `bazaar` extension (a valid one: its `info` meets its own schema) adds or refreshes the resource
 * in the discovery catalog. Payments without the declaration are not listed: discovery is the
 * seller's choice.
 */
import { PaymentPayload, PaymentRequirements, readDiscovery } from '@x402kit/core';
import { isRecord } from '@x402kit/core/internal';
import type { ServiceFacilitator } from '../service-engine.js';
import type { DiscoveryStore } from './discovery-store.js';

/** Options of {@link withDiscovery}. */
export type WithDiscoveryOptions = {
  store: DiscoveryStore;
  /** A failed catalog write (the settlement's answer is unaffected). */
  onError?: (error: unknown) => void;
  /** Told why a settled payment's declaration was not catalogued. */
  onSkipped?: (reason: string) => void;
};

/**
 * Wrap an engine so its settlements feed the discovery catalog.
 *
 * @example
 * parts.engine = withDiscovery(parts.engine, { store: catalog })
 */
export function withDiscovery(engine: ServiceFacilitator, options: WithDiscoveryOptions): ServiceFacilitator {
  return {
    ...engine,
    async settle(payload, requirements, callOptions) {
      const result = await engine.settle(payload, requirements, callOptions);
      // only v2 payments carry extensions: a settlement without the declaration (most of them) is
      // not parsed again; the engine already validated what it settled
      if (!result.success || !declaresBazaar(payload)) return result;
      const paid = PaymentPayload.safeParse(payload);
      const offer = PaymentRequirements.safeParse(requirements);
      if (!paid.success || !offer.success || paid.data.extensions?.bazaar === undefined) return result;
      const found = readDiscovery(paid.data, offer.data, new Date());
      if (!found.ok) {
        options.onSkipped?.(found.reason);
        return result;
      }
      try {
        await options.store.record(found.resource);
      } catch (error) {
        options.onError?.(error);
      }
      return result;
    },
  };
}

function declaresBazaar(payload: unknown): boolean {
  return isRecord(payload) && isRecord(payload.extensions) && payload.extensions.bazaar !== undefined;
}
