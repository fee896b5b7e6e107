/**
 * `combinePrefilters`: several asynchronous pre-filters as one, e.g. the EVM and the Solana balance
 * policies of a client that pays on both.
 */
import type { OfferPrefilter } from './client.js';
import type { Offer } from './payment-policy.js';

/**
 * Several prefilters as one: each gets every offer, they run in parallel, and an offer is kept when every
 * one of them keeps it (in the order given). Chain-specific prefilters keep the offers of other chains by
 * default (`unchecked: 'keep'`); with `'drop'`, one chain's prefilter drops the other chains' offers.
 *
 * @example
 * const client = createX402Client({
 *   schemes,
 *   prefilter: combinePrefilters(
 *     sufficientBalancePolicy({ rpc: { 'eip155:8453': baseRpcUrl }, owner: account.address }),
 *     sufficientSvmBalancePolicy({ rpc: { [SOLANA_DEVNET]: solanaRpcUrl }, owner: signer.address }),
 *   ),
 * })
 */
export function combinePrefilters(...prefilters: OfferPrefilter[]): OfferPrefilter {
  return async (offers) => {
    const kept = await Promise.all(
      prefilters.map(async (prefilter) => new Set<Offer>(await prefilter(offers))),
    );
    return offers.filter((offer) => kept.every((set) => set.has(offer)));
  };
}
