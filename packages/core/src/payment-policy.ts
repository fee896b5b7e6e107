/**
 * What the paying client's policies see and answer: an offer of a 402, and a policy that keeps or
 * removes it. In a file of their own so the client and the budget (which both speak of offers) do not
 * import each other.
 */
import type { PaymentRequirements, X402Version } from './protocol/schemas.js';

/**
 * An offer seen by policies: the v2 shape, plus the version of the 402 it came from.
 *
 * @example
 * const offer: Offer = { requirements, x402Version: 2, index: 0 }
 */
export type Offer = { requirements: PaymentRequirements; x402Version: X402Version; index: number };

/**
 * Removes offers the client must not pay; `explain` says why, for the error message.
 *
 * @example
 * const onlyBase: PaymentPolicy = { name: 'base only', allows: (o) => o.requirements.network === 'eip155:8453', explain: () => 'not on Base' }
 */
export type PaymentPolicy = {
  name: string;
  allows(offer: Offer): boolean;
  explain(offer: Offer): string;
};
