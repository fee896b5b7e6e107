/** The reason codes of the `bazaar` extension (declarations and the facilitator's discovery list). */
import { defineReasons } from '../protocol/reason-registry.js';

/** Reason codes of discovery. */
export const BazaarReasons = defineReasons('@x402kit/core/bazaar', {
  /** `GET /discovery/resources` was asked with a parameter it cannot read (HTTP 400). */
  invalidQuery: 'invalid_discovery_query',
  /** A bazaar declaration does not meet the extension's rules, or its `info` fails its own `schema`. */
  invalidExtension: 'invalid_bazaar_extension',
  /** The facilitator's discovery list could not be read (unreachable, or not a discovery answer). */
  unavailable: 'discovery_unavailable',
});
