/**
 * The skeleton of the chains' balance pre-filters (`sufficientBalancePolicy` of `@x402kit/evm`,
 * `sufficientSvmBalancePolicy` of `@x402kit/svm`): read each (network, asset) balance once and in
 * parallel, keep the offers it covers, and let `unchecked` decide the offers no balance answers for.
 */
import type { OfferPrefilter } from './client.js';
import type { Offer } from './payment-policy.js';

/** One balance read: its cache key (network and asset) and the read itself. */
export type OfferBalanceRead = { key: string; read: () => Promise<bigint> };

/** What a chain gives {@link balancePrefilter}. */
export type BalancePrefilterOptions = {
  /** The read of the balance `offer` spends, or `undefined` when this chain cannot check it. */
  balanceOf(offer: Offer): OfferBalanceRead | undefined;
  /** What `offer` takes from that balance (atomic units). */
  required(offer: Offer): bigint;
  /** Offers without a balance (not checkable, or the read failed): kept (default) or dropped. */
  unchecked?: 'keep' | 'drop';
};

/**
 * An {@link OfferPrefilter} keeping the offers whose balance covers what they take.
 *
 * @example
 * balancePrefilter({ balanceOf: (offer) => ({ key: offer.requirements.asset, read: () => readBalance(offer) }), required: (offer) => BigInt(offer.requirements.amount) })
 */
export function balancePrefilter(options: BalancePrefilterOptions): OfferPrefilter {
  const keepUnchecked = (options.unchecked ?? 'keep') === 'keep';
  return async (offers) => {
    const balances = new Map<string, Promise<bigint | undefined>>();
    const balanceFor = (offer: Offer): Promise<bigint | undefined> => {
      const reading = options.balanceOf(offer);
      if (!reading) return Promise.resolve(undefined);
      let pending = balances.get(reading.key);
      if (!pending) {
        pending = reading.read().catch(() => undefined);
        balances.set(reading.key, pending);
      }
      return pending;
    };
    const verdicts = await Promise.all(
      offers.map(async (offer) => {
        const balance = await balanceFor(offer);
        return balance === undefined ? keepUnchecked : balance >= options.required(offer);
      }),
    );
    return offers.filter((_, i) => verdicts[i]);
  };
}
