/**
 * The `exact` offer of a paid test route: the devnet's network, paid to its `payTo` account, at
 * $0.001 unless told otherwise. One shape for EVM and Solana devnets.
 */
import type { PaymentOption } from '@x402kit/core';

/** What an offer needs of a devnet: its network and its `payTo` account. */
export type OfferDevnet = { network: string; accounts: { payTo: { address: string } } };

/**
 * An `exact` route option on `devnet`, $0.001 to its `payTo`; `overrides` replace any field.
 *
 * @example
 * routes: { 'GET /weather': { accepts: devnetExactOffer(devnet), description: 'Weather report' } }
 */
export function devnetExactOffer(devnet: OfferDevnet, overrides: Partial<PaymentOption> = {}): PaymentOption {
  return {
    scheme: 'exact',
    network: devnet.network,
    payTo: devnet.accounts.payTo.address,
    price: '$0.001',
    ...overrides,
  };
}
