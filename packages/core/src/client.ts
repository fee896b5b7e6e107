/**
 * The paying client engine: picks one of a 402's offers (registered schemes, then policies,
 * then a selector) and builds the payment payload with the scheme's client.
 */

import { parseUnits } from './money.js';
import { matchesNetworkPattern } from './networks/caip.js';
import { findAsset, sameAssetId } from './networks/registry.js';
import { X402Error } from './protocol/errors.js';
import { Reasons } from './protocol/reasons.js';
import type {
  AnyPaymentPayload,
  AnyPaymentRequired,
  AnyPaymentRequirements,
  PaymentRequirements,
  X402Version,
} from './protocol/schemas.js';
import { requirementsFromV1 } from './protocol/v1.js';
import type { SchemeClient } from './scheme.js';

export type ClientSchemeRegistration = {
  /** CAIP-2 id or pattern (`eip155:*`). v1 network names are matched through their CAIP-2 id. */
  network: string;
  client: SchemeClient;
  /** Protocol versions to pay with; default both. */
  x402Versions?: X402Version[];
};

/** An offer seen by policies: the v2 shape, plus the version of the 402 it came from. */
export type Offer = { requirements: PaymentRequirements; x402Version: X402Version; index: number };

/** Removes offers the client must not pay; `explain` says why, for the error message. */
export type PaymentPolicy = {
  name: string;
  allows(offer: Offer): boolean;
  explain(offer: Offer): string;
};

export type ClientHooks = {
  /** Return `{ abort, reason }` to refuse to pay (e.g. ask a human). */
  beforePayment?: (
    offer: Offer,
  ) => Promise<{ abort: true; reason: string } | undefined> | { abort: true; reason: string } | undefined;
  afterPayment?: (offer: Offer, payload: AnyPaymentPayload) => Promise<void> | void;
};

export type X402ClientOptions = {
  schemes: ClientSchemeRegistration[];
  policies?: PaymentPolicy[];
  /** Chooses among the offers left; default: the first. */
  select?: (offers: Offer[]) => Offer;
  hooks?: ClientHooks;
};

export type X402Client = {
  /** The offer that would be paid, or an {@link X402Error} saying why none can be. */
  selectOffer(paymentRequired: AnyPaymentRequired): Offer;
  createPaymentPayload(paymentRequired: AnyPaymentRequired): Promise<AnyPaymentPayload>;
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
  const policies = options.policies ?? [];

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
        matchesNetworkPattern(offer.requirements.network, s.network),
    )?.client;
  }

  function selectOffer(pr: AnyPaymentRequired): Offer {
    const all = offersOf(pr);
    const reasons: string[] = [];
    let offers = all.filter((o) => {
      if (schemeFor(o)) return true;
      reasons.push(`${describe(o)}: no registered scheme client`);
      return false;
    });
    for (const policy of policies) {
      offers = offers.filter((o) => {
        if (policy.allows(o)) return true;
        reasons.push(`${describe(o)}: ${policy.explain(o)}`);
        return false;
      });
    }
    if (offers.length === 0) {
      throw new X402Error(
        Reasons.noAcceptablePaymentOption,
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
    async createPaymentPayload(pr) {
      const offer = selectOffer(pr);
      const abort = await options.hooks?.beforePayment?.(offer);
      if (abort) throw new X402Error(Reasons.noAcceptablePaymentOption, `payment refused: ${abort.reason}`);
      const scheme = schemeFor(offer)!;
      const serverExtensions = pr.x402Version === 2 ? pr.extensions : undefined;
      const result = await scheme.createPaymentPayload(offer.requirements, {
        x402Version: offer.x402Version,
        ...(pr.x402Version === 2 ? { resource: pr.resource } : {}),
        ...(serverExtensions ? { extensions: serverExtensions } : {}),
      });
      let payload: AnyPaymentPayload;
      if (pr.x402Version === 2) {
        const extensions = mergeExtensions(serverExtensions, result.extensions);
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
      await options.hooks?.afterPayment?.(offer, payload);
      return payload;
    },
  };
}

/** Server declarations, with the scheme's per-key objects shallow-merged over them. */
function mergeExtensions(
  server: Record<string, unknown> | undefined,
  scheme: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!server && !scheme) return undefined;
  const out: Record<string, unknown> = { ...server };
  for (const [key, value] of Object.entries(scheme ?? {})) {
    const base = out[key];
    out[key] = isObject(base) && isObject(value) ? { ...base, ...value } : value;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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

/** Only pay on these networks (CAIP-2 ids or patterns). */
export function allowNetworksPolicy(networks: string[]): PaymentPolicy {
  return {
    name: 'allowNetworks',
    allows: (o) => networks.some((n) => matchesNetworkPattern(o.requirements.network, n)),
    explain: () => `network not in the allowed list (${networks.join(', ')})`,
  };
}

/** Only pay with these assets (addresses or mints). */
export function allowAssetsPolicy(assets: string[]): PaymentPolicy {
  return {
    name: 'allowAssets',
    allows: (o) => assets.some((a) => sameAssetId(a, o.requirements.asset)),
    explain: () => `asset not in the allowed list (${assets.join(', ')})`,
  };
}

/** Prefer offers on these networks, in order; otherwise keep the server's order. */
export function preferNetworks(networks: string[]): (offers: Offer[]) => Offer {
  return (offers) => {
    for (const n of networks) {
      const hit = offers.find((o) => matchesNetworkPattern(o.requirements.network, n));
      if (hit) return hit;
    }
    return offers[0]!;
  };
}
