/**
 * The paying client engine: picks one of a 402's offers (registered schemes, then policies,
 * then a selector) and builds the payment payload with the scheme's client.
 */

import type { BudgetHold, PaymentBudget, PaymentOutcome } from './budget/budget.js';
import { BudgetReasons } from './budget/budget-reasons.js';
import { DEFAULT_MAX_AMOUNT_USD, defaultCapPolicy } from './budget/default-cap.js';
import { isRecord } from './chain-module/config-fields.js';
import { appendPaymentIdentifier, readPaymentIdentifier } from './extensions/payment-identifier.js';
import { parseUnits } from './money.js';
import { findAsset, networkMatches, sameAssetId } from './networks/registry.js';
import type { Offer, PaymentPolicy } from './payment-policy.js';
import { X402Error } from './protocol/errors.js';
import { Reasons } from './protocol/reasons.js';
import type {
  AnyPaymentPayload,
  AnyPaymentRequired,
  AnyPaymentRequirements,
  SettleResponse,
  X402Version,
} from './protocol/schemas.js';
import { requirementsFromV1 } from './protocol/v1.js';
import type { SchemeClient } from './scheme.js';

/** One scheme client the paying engine may use, on a network or pattern. */
export type ClientSchemeRegistration = {
  /** CAIP-2 id or pattern (`eip155:*`). v1 network names are matched through their CAIP-2 id. */
  network: string;
  client: SchemeClient;
  /** Protocol versions to pay with; default both. */
  x402Versions?: X402Version[];
};

/** Hooks around each payment the client engine makes (refuse before paying, observe after). */
export type ClientHooks = {
  /** Return `{ abort, reason }` to refuse to pay (e.g. ask a human). */
  beforePayment?: (
    offer: Offer,
  ) => Promise<{ abort: true; reason: string } | undefined> | { abort: true; reason: string } | undefined;
  afterPayment?: (offer: Offer, payload: AnyPaymentPayload) => Promise<void> | void;
};

/**
 * Chooses one offer among the (non-empty) list left after policies. Selectors built here also carry
 * `compare`, an ordering (best first), so {@link combineSelectors} can break ties with the next one.
 */
export type OfferSelector = ((offers: Offer[]) => Offer) & { compare?: (a: Offer, b: Offer) => number };

/**
 * An asynchronous pre-filter (e.g. "only offers I can afford", which reads balances on-chain):
 * gets the offers that have a registered scheme and returns the ones to keep.
 */
export type OfferPrefilter = (offers: Offer[]) => Promise<Offer[]>;

/** Options of `createX402Client`. */
export type X402ClientOptions = {
  schemes: ClientSchemeRegistration[];
  policies?: PaymentPolicy[];
  /**
   * Runs before the policies when paying (`createPaymentPayload`, `selectOfferAsync`); offers it drops
   * are reported as "removed by the prefilter". The synchronous `selectOffer` does not run it.
   */
  prefilter?: OfferPrefilter;
  /** Chooses among the offers left; default: the first. */
  select?: (offers: Offer[]) => Offer;
  hooks?: ClientHooks;
  /**
   * The per-payment cap when `policies` has no `maxAmountPolicy`: offers in a registered USD
   * stablecoin above this many dollars are refused (`amount_above_default_cap`). Default `'1'`, as
   * the reference 2.27; `false` removes it. A `maxAmountPolicy` replaces it.
   */
  defaultMaxAmount?: string | false;
  /**
   * A cumulative budget ({@link createBudget}): each payment is reserved before it is signed and
   * refused (`budget_exceeded`) when it does not fit; the transport reports the outcome with
   * {@link X402Client.reportOutcome}.
   */
  budget?: PaymentBudget;
};

/** Per-payment options of {@link X402Client.createPaymentPayload}. */
export type CreatePaymentOptions = {
  /**
   * The `payment-identifier` id to echo when the 402 declares the extension (16-128 characters of
   * `[a-zA-Z0-9_-]`); default a fresh `pay_…` id. Pass the same id when retrying a request after a
   * crash, so the server or facilitator answers the first payment's result instead of charging twice.
   */
  paymentIdentifier?: string;
  /**
   * What a per-key budget limit counts this payment under (the host, or an MCP tool's name);
   * default the host of the 402's resource URL.
   */
  budgetKey?: string;
};

/** What `createX402Client` returns. */
export type X402Client = {
  /** The offer that would be paid (without the async `prefilter`), or an {@link X402Error} saying why none can be. */
  selectOffer(paymentRequired: AnyPaymentRequired): Offer;
  /** Like `selectOffer`, after the `prefilter` (when there is one): the offer `createPaymentPayload` pays. */
  selectOfferAsync(paymentRequired: AnyPaymentRequired): Promise<Offer>;
  /** Sign a payment for the chosen offer; echoes `payment-identifier` when the 402 declares it. */
  createPaymentPayload(
    paymentRequired: AnyPaymentRequired,
    options?: CreatePaymentOptions,
  ): Promise<AnyPaymentPayload>;
  /**
   * Tell the budget how a payload this client made ended: `paid` (a settlement says so), `refused`
   * (proven not charged: a refusal or failed settlement), `unknown` (pending, or the answer was lost;
   * it stays counted). Without a budget, or for a payload reported already, it does nothing to the
   * budget. The `settlement` the answer carried (`PAYMENT-RESPONSE`) goes to the scheme's
   * `onSettlement`, for a v2 payload this client made.
   */
  reportOutcome(
    payload: AnyPaymentPayload,
    outcome: PaymentOutcome,
    settlement?: SettleResponse,
  ): Promise<void>;
  /**
   * Whether the 402 that answered a payload this client made is a refusal its scheme lists in
   * `retryableRefusals` (its `error`): the transport may then sign once more against that 402.
   */
  isRetryableRefusal(payload: AnyPaymentPayload, paymentRequired: AnyPaymentRequired): boolean;
};

/**
 * Create a paying client.
 *
 * @example
 * const client = createX402Client({
 *   schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer: account }) }],
 *   policies: [maxAmountPolicy('0.01')],
 * })
 */
export function createX402Client(options: X402ClientOptions): X402Client {
  const given = options.policies ?? [];
  const defaultCap =
    options.defaultMaxAmount === false || given.some((p) => p.name === 'maxAmount')
      ? undefined
      : defaultCapPolicy(options.defaultMaxAmount ?? DEFAULT_MAX_AMOUNT_USD);
  const policies = defaultCap ? [...given, defaultCap] : given;
  /** Budget holds of the payloads made and not yet reported. */
  const holds = new WeakMap<AnyPaymentPayload, BudgetHold>();
  /** The scheme client that built each payload, for its settlement and refusal hooks. */
  const makers = new WeakMap<AnyPaymentPayload, SchemeClient>();

  function offersOf(pr: AnyPaymentRequired): Offer[] {
    if (pr.x402Version === 2)
      return pr.accepts.map((requirements, index) => ({ requirements, x402Version: 2, index }));
    return pr.accepts.map((r, index) => ({ requirements: requirementsFromV1(r), x402Version: 1, index }));
  }

  function schemeFor(offer: Offer): SchemeClient | undefined {
    return options.schemes.find(
      (s) =>
        s.client.scheme === offer.requirements.scheme &&
        (s.x402Versions ?? [1, 2]).includes(offer.x402Version) &&
        networkMatches(offer.requirements.network, s.network),
    )?.client;
  }

  function registered(pr: AnyPaymentRequired): { offers: Offer[]; reasons: string[] } {
    const reasons: string[] = [];
    const offers = offersOf(pr).filter((o) => {
      if (schemeFor(o)) return true;
      reasons.push(`${describe(o)}: no registered scheme client`);
      return false;
    });
    return { offers, reasons };
  }

  function selectOffer(pr: AnyPaymentRequired): Offer {
    const { offers, reasons } = registered(pr);
    return choose(offers, reasons);
  }

  async function selectOfferAsync(pr: AnyPaymentRequired): Promise<Offer> {
    const { offers, reasons } = registered(pr);
    if (!options.prefilter || offers.length === 0) return choose(offers, reasons);
    const kept = await options.prefilter(offers);
    // keep only offers that were given (a prefilter cannot invent offers), in the server's order
    const keep = new Set(kept.map((o) => o.index));
    const left = offers.filter((o) => {
      if (keep.has(o.index)) return true;
      reasons.push(`${describe(o)}: removed by the prefilter`);
      return false;
    });
    return choose(left, reasons);
  }

  function choose(candidates: Offer[], reasons: string[]): Offer {
    let offers = candidates;
    let cappedByDefault = false;
    for (const policy of policies) {
      offers = offers.filter((o) => {
        if (policy.allows(o)) return true;
        if (policy === defaultCap) cappedByDefault = true;
        reasons.push(`${describe(o)}: ${policy.explain(o)}`);
        return false;
      });
    }
    if (offers.length === 0) {
      throw new X402Error(
        cappedByDefault ? BudgetReasons.aboveDefaultCap : Reasons.noAcceptablePaymentOption,
        `no payment option can be paid: ${reasons.join('; ')}`,
        {
          details: { reasons },
        },
      );
    }
    return options.select ? options.select(offers) : offers[0]!;
  }

  return {
    selectOffer,
    selectOfferAsync,
    async createPaymentPayload(pr, paymentOptions) {
      const offer = await selectOfferAsync(pr);
      const abort = await options.hooks?.beforePayment?.(offer);
      if (abort) throw new X402Error(Reasons.noAcceptablePaymentOption, `payment refused: ${abort.reason}`);
      const key = paymentOptions?.budgetKey ?? resourceHost(pr, offer);
      const hold = await options.budget?.reserve(offer, key === undefined ? {} : { key });
      try {
        const payload = await buildPayload(pr, offer, paymentOptions);
        if (hold) holds.set(payload, hold);
        return payload;
      } catch (error) {
        // nothing left this process: the reservation goes back
        await hold?.settle('refused');
        throw error;
      }
    },
    async reportOutcome(payload, outcome, settlement) {
      const maker = makers.get(payload);
      if (settlement && maker?.onSettlement && payload.x402Version === 2)
        await maker.onSettlement(payload, settlement);
      const hold = holds.get(payload);
      if (!hold) return;
      holds.delete(payload);
      await hold.settle(outcome);
    },
    isRetryableRefusal(payload, paymentRequired) {
      const reason = paymentRequired.x402Version === 2 ? paymentRequired.error : undefined;
      if (reason === undefined) return false;
      return makers.get(payload)?.retryableRefusals?.includes(reason) ?? false;
    },
  };

  async function buildPayload(
    pr: AnyPaymentRequired,
    offer: Offer,
    paymentOptions: CreatePaymentOptions | undefined,
  ): Promise<AnyPaymentPayload> {
    const scheme = schemeFor(offer)!;
    const serverExtensions = pr.x402Version === 2 ? pr.extensions : undefined;
    const result = await scheme.createPaymentPayload(offer.requirements, {
      x402Version: offer.x402Version,
      ...(pr.x402Version === 2 ? { resource: pr.resource } : {}),
      ...(serverExtensions ? { extensions: serverExtensions } : {}),
    });
    let payload: AnyPaymentPayload;
    if (pr.x402Version === 2) {
      const merged = mergeExtensions(serverExtensions, result.extensions);
      // an explicit id wins; an id the scheme already set is kept; else a fresh one is echoed
      const explicitId = paymentOptions?.paymentIdentifier;
      const extensions =
        explicitId !== undefined || !readPaymentIdentifier({ extensions: merged }).present
          ? appendPaymentIdentifier(merged, explicitId)
          : merged;
      payload = {
        x402Version: 2,
        resource: pr.resource,
        accepted: pr.accepts[offer.index]!,
        payload: result.payload,
        ...(extensions ? { extensions } : {}),
      };
    } else {
      const original: AnyPaymentRequirements = pr.accepts[offer.index]!;
      payload = {
        x402Version: 1,
        scheme: original.scheme,
        network: original.network,
        payload: result.payload,
      };
    }
    makers.set(payload, scheme);
    await options.hooks?.afterPayment?.(offer, payload);
    return payload;
  }
}

/** The host of the 402's resource (v2 `resource.url`, v1 `resource`), when it is a URL. */
function resourceHost(pr: AnyPaymentRequired, offer: Offer): string | undefined {
  const url = pr.x402Version === 2 ? pr.resource?.url : pr.accepts[offer.index]?.resource;
  if (typeof url !== 'string' || !URL.canParse(url)) return undefined;
  return new URL(url).host;
}

/**
 * Server declarations with the scheme's per-key objects merged over them; an extension's `info`
 * is merged one level deeper, so an echo keeps every field the server declared (the reference
 * server refuses an echo that drops one: `extension_echo_mismatch`).
 */
function mergeExtensions(
  server: Record<string, unknown> | undefined,
  scheme: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!server && !scheme) return undefined;
  const out: Record<string, unknown> = { ...server };
  for (const [key, value] of Object.entries(scheme ?? {})) {
    const base = out[key];
    if (!isRecord(base) || !isRecord(value)) {
      out[key] = value;
      continue;
    }
    const merged: Record<string, unknown> = { ...base, ...value };
    if (isRecord(base.info) && isRecord(value.info)) merged.info = { ...base.info, ...value.info };
    out[key] = merged;
  }
  return out;
}

function describe(o: Offer): string {
  return `${o.requirements.scheme} on ${o.requirements.network} (${o.requirements.amount} of ${o.requirements.asset})`;
}

// ---------------------------------------------------------------- built-in policies

/**
 * Refuse offers above `max`, a decimal in the asset's own units (e.g. `'0.01'` USDC), or an
 * atomic `bigint`. Offers whose asset decimals are unknown are refused (fail closed) unless
 * `max` is atomic.
 *
 * @example maxAmountPolicy('0.01')
 */
export function maxAmountPolicy(max: string | bigint): PaymentPolicy {
  const limitFor = (o: Offer): bigint | undefined => {
    if (typeof max === 'bigint') return max;
    const decimals = findAsset(o.requirements.network, o.requirements.asset)?.decimals;
    return decimals === undefined ? undefined : parseUnits(max, decimals);
  };
  return {
    name: 'maxAmount',
    allows: (o) => {
      const limit = limitFor(o);
      return limit !== undefined && BigInt(o.requirements.amount) <= limit;
    },
    explain: (o) => {
      const limit = limitFor(o);
      if (limit === undefined)
        return `asset ${o.requirements.asset} has unknown decimals, cannot check the ${String(max)} cap`;
      return `amount ${o.requirements.amount} exceeds the cap of ${String(max)} (${limit} atomic units)`;
    },
  };
}

/**
 * Only pay on these networks (CAIP-2 ids or patterns).
 *
 * @example
 * ```ts
 * createX402Client({ schemes, policies: [allowNetworksPolicy(['eip155:8453', 'solana:*'])] })
 * ```
 */
export function allowNetworksPolicy(networks: string[]): PaymentPolicy {
  return {
    name: 'allowNetworks',
    allows: (o) => networks.some((n) => networkMatches(o.requirements.network, n)),
    explain: () => `network not in the allowed list (${networks.join(', ')})`,
  };
}

/**
 * Only pay with these assets (addresses or mints).
 *
 * @example
 * ```ts
 * createX402Client({ schemes, policies: [allowAssetsPolicy(['0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'])] })
 * ```
 */
export function allowAssetsPolicy(assets: string[]): PaymentPolicy {
  return {
    name: 'allowAssets',
    allows: (o) => assets.some((a) => sameAssetId(a, o.requirements.asset)),
    explain: () => `asset not in the allowed list (${assets.join(', ')})`,
  };
}

// ---------------------------------------------------------------- built-in selectors

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
