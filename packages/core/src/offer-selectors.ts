/**
 * The built-in offer selectors of the paying client (`createX402Client({ select })`): each one an
 * ordering with the server's order breaking ties, and {@link combineSelectors} to chain them.
 * Re-exported by `client.ts`.
 */
import { findAsset, networkMatches } from './networks/registry.js';
import type { Offer } from './payment-policy.js';

/**
 * Chooses one offer among the (non-empty) list left after policies. The selectors built here also carry
 * `compare`, an ordering (best first), so {@link combineSelectors} can break ties with the next one.
 */
export type OfferSelector = ((offers: Offer[]) => Offer) & { compare?: (a: Offer, b: Offer) => number };

/** A selector from an ordering: the best offer under `compare`, the server's order breaking ties. */
function selectorFrom(compare: (a: Offer, b: Offer) => number): OfferSelector {
  const select = (offers: Offer[]): Offer =>
    [...offers].sort((a, b) => compare(a, b) || a.index - b.index)[0]!;
  return Object.assign(select, { compare });
}

/** Position of the first pattern `value` matches, or `Infinity`. */
function rankIn<T>(list: readonly T[], matches: (item: T) => boolean): number {
  const i = list.findIndex(matches);
  return i === -1 ? Number.POSITIVE_INFINITY : i;
}

const byRank =
  (rank: (o: Offer) => number) =>
  (a: Offer, b: Offer): number => {
    const ra = rank(a);
    const rb = rank(b);
    return ra === rb ? 0 : ra < rb ? -1 : 1;
  };

/**
 * Prefer offers on these networks (CAIP-2 ids or patterns), in order; otherwise keep the server's order.
 *
 * @example createX402Client({ schemes, select: preferNetworks(['eip155:8453', 'eip155:*']) })
 */
export function preferNetworks(networks: string[]): OfferSelector {
  return selectorFrom(byRank((o) => rankIn(networks, (n) => networkMatches(o.requirements.network, n))));
}

/**
 * Prefer offers of these schemes, in order (`exact` before `exact_permit` ...); otherwise keep the
 * server's order.
 *
 * @example createX402Client({ schemes, select: preferSchemes(['exact', 'exact_permit']) })
 */
export function preferSchemes(schemes: string[]): OfferSelector {
  return selectorFrom(byRank((o) => rankIn(schemes, (s) => s === o.requirements.scheme)));
}

/**
 * The offer with the lowest price, comparing atomic amounts across assets through their registry
 * decimals (1 USDC at 6 decimals equals 1 USDT at 18). Offers whose asset decimals are unknown sort last
 * (in the server's order). For stablecoins of the same currency only: no exchange rates are applied.
 *
 * @example createX402Client({ schemes, select: cheapest() })
 */
export function cheapest(): OfferSelector {
  const decimalsOf = (o: Offer) => findAsset(o.requirements.network, o.requirements.asset)?.decimals;
  return selectorFrom((a, b) => {
    const da = decimalsOf(a);
    const db = decimalsOf(b);
    if (da === undefined || db === undefined) return da === db ? 0 : da === undefined ? 1 : -1;
    // a / 10^da versus b / 10^db, without division: a * 10^db versus b * 10^da
    const left = BigInt(a.requirements.amount) * 10n ** BigInt(db);
    const right = BigInt(b.requirements.amount) * 10n ** BigInt(da);
    return left === right ? 0 : left < right ? -1 : 1;
  });
}

/**
 * Several selectors in priority order: each one with an ordering keeps only the offers tied for best
 * under it, the next breaks the tie; a selector without an ordering (a plain function) picks from what
 * is left and ends the chain. With every tie unbroken, the server's order decides.
 *
 * @example
 * // the cheapest offer; among equally cheap ones, exact before exact_permit, then Base first
 * select: combineSelectors(cheapest(), preferSchemes(['exact', 'exact_permit']), preferNetworks(['eip155:8453']))
 */
export function combineSelectors(
  ...selectors: Array<OfferSelector | ((offers: Offer[]) => Offer)>
): OfferSelector {
  const select = (offers: Offer[]): Offer => {
    let left = offers;
    for (const selector of selectors) {
      if (left.length <= 1) break;
      const compare = 'compare' in selector ? selector.compare : undefined;
      if (!compare) return selector(left);
      const best = selector(left);
      left = left.filter((o) => compare(o, best) === 0);
    }
    return [...left].sort((a, b) => a.index - b.index)[0]!;
  };
  const compare = (a: Offer, b: Offer): number => {
    for (const selector of selectors) {
      const c = 'compare' in selector ? selector.compare : undefined;
      if (!c) return 0;
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return 0;
  };
  return Object.assign(select, { compare });
}
