/**
 * The paying client engine: picks one of a 402's offers (registered schemes, then policies,
 * then a selector) and builds the payment payload with the scheme's client.
 */

import type { BudgetHold, PaymentBudget, PaymentOutcome } from './budget/budget.js';
import { BudgetReasons } from './budget/budget-reasons.js';
import { DEFAULT_MAX_AMOUNT_USD, defaultCapPolicy } from './budget/default-cap.js';
import { isRecord } from './chain-module/config-fields.js';
import { appendPaymentIdentifier, readPaymentIdentifier } from './extensions/payment-identifier.js';
import { networkMatches } from './networks/registry.js';
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

export { allowAssetsPolicy, allowNetworksPolicy, maxAmountPolicy } from './offer-policies.js';
export {
  cheapest,
  combineSelectors,
  type OfferSelector,
  preferNetworks,
  preferSchemes,
} from './offer-selectors.js';

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
  const state: ClientState = {
    options,
    policies: defaultCap ? [...given, defaultCap] : given,
    defaultCap,
    holds: new WeakMap(),
    makers: new WeakMap(),
  };
  return {
    selectOffer(pr) {
      const { offers, reasons } = registered(options.schemes, pr);
      return choose(state, offers, reasons);
    },
    selectOfferAsync: (pr) => selectOfferAsync(state, pr),
    createPaymentPayload: (pr, paymentOptions) => createPaymentPayload(state, pr, paymentOptions),
    reportOutcome: (payload, outcome, settlement) => reportOutcome(state, payload, outcome, settlement),
    isRetryableRefusal(payload, paymentRequired) {
      const reason = paymentRequired.x402Version === 2 ? paymentRequired.error : undefined;
      if (reason === undefined) return false;
      return state.makers.get(payload)?.retryableRefusals?.includes(reason) ?? false;
    },
  };
}

/** What the client's steps share: its options, its policies (the default cap last) and its memories. */
type ClientState = {
  options: X402ClientOptions;
  policies: PaymentPolicy[];
  /** The default cap among `policies`, when it applies: a refusal by it has its own reason. */
  defaultCap: PaymentPolicy | undefined;
  /** Budget holds of the payloads made and not yet reported. */
  holds: WeakMap<AnyPaymentPayload, BudgetHold>;
  /** The scheme client that built each payload, for its settlement and refusal hooks. */
  makers: WeakMap<AnyPaymentPayload, SchemeClient>;
};

function offersOf(pr: AnyPaymentRequired): Offer[] {
  if (pr.x402Version === 2)
    return pr.accepts.map((requirements, index) => ({ requirements, x402Version: 2, index }));
  return pr.accepts.map((r, index) => ({ requirements: requirementsFromV1(r), x402Version: 1, index }));
}

function schemeFor(schemes: ClientSchemeRegistration[], offer: Offer): SchemeClient | undefined {
  return schemes.find(
    (s) =>
      s.client.scheme === offer.requirements.scheme &&
      (s.x402Versions ?? [1, 2]).includes(offer.x402Version) &&
      networkMatches(offer.requirements.network, s.network),
  )?.client;
}

/** The offers a registered scheme client can pay, and why each other one cannot be. */
function registered(
  schemes: ClientSchemeRegistration[],
  pr: AnyPaymentRequired,
): { offers: Offer[]; reasons: string[] } {
  const reasons: string[] = [];
  const offers = offersOf(pr).filter((o) => {
    if (schemeFor(schemes, o)) return true;
    reasons.push(`${describe(o)}: no registered scheme client`);
    return false;
  });
  return { offers, reasons };
}

async function selectOfferAsync(state: ClientState, pr: AnyPaymentRequired): Promise<Offer> {
  const { prefilter } = state.options;
  const { offers, reasons } = registered(state.options.schemes, pr);
  if (!prefilter || offers.length === 0) return choose(state, offers, reasons);
  const kept = await prefilter(offers);
  // keep only offers that were given (a prefilter cannot invent offers), in the server's order
  const keep = new Set(kept.map((o) => o.index));
  const left = offers.filter((o) => {
    if (keep.has(o.index)) return true;
    reasons.push(`${describe(o)}: removed by the prefilter`);
    return false;
  });
  return choose(state, left, reasons);
}

/** The offer the policies leave and the selector picks, or an `X402Error` listing every refusal. */
function choose(state: ClientState, candidates: Offer[], reasons: string[]): Offer {
  let offers = candidates;
  let cappedByDefault = false;
  for (const policy of state.policies) {
    offers = offers.filter((o) => {
      if (policy.allows(o)) return true;
      if (policy === state.defaultCap) cappedByDefault = true;
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
  return state.options.select ? state.options.select(offers) : offers[0]!;
}

async function createPaymentPayload(
  state: ClientState,
  pr: AnyPaymentRequired,
  paymentOptions: CreatePaymentOptions | undefined,
): Promise<AnyPaymentPayload> {
  const { options } = state;
  const offer = await selectOfferAsync(state, pr);
  const abort = await options.hooks?.beforePayment?.(offer);
  if (abort) throw new X402Error(Reasons.noAcceptablePaymentOption, `payment refused: ${abort.reason}`);
  const key = paymentOptions?.budgetKey ?? resourceHost(pr, offer);
  const hold = await options.budget?.reserve(offer, key === undefined ? {} : { key });
  try {
    const payload = await buildPayload(state, pr, offer, paymentOptions);
    if (hold) state.holds.set(payload, hold);
    return payload;
  } catch (error) {
    // nothing left this process: the reservation goes back
    await hold?.settle('refused');
    throw error;
  }
}

async function reportOutcome(
  state: ClientState,
  payload: AnyPaymentPayload,
  outcome: PaymentOutcome,
  settlement: SettleResponse | undefined,
): Promise<void> {
  const maker = state.makers.get(payload);
  if (settlement && maker?.onSettlement && payload.x402Version === 2)
    await maker.onSettlement(payload, settlement);
  const hold = state.holds.get(payload);
  if (!hold) return;
  state.holds.delete(payload);
  await hold.settle(outcome);
}

/** The scheme client signs for the offer; the payload is wrapped for the 402's version. */
async function buildPayload(
  state: ClientState,
  pr: AnyPaymentRequired,
  offer: Offer,
  paymentOptions: CreatePaymentOptions | undefined,
): Promise<AnyPaymentPayload> {
  const scheme = schemeFor(state.options.schemes, offer)!;
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
  state.makers.set(payload, scheme);
  await state.options.hooks?.afterPayment?.(offer, payload);
  return payload;
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
