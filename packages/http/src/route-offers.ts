/**
 * A route's offers (its `PaymentRequirements` for one request). Routes with a fixed price and
 * payTo reuse theirs for `ttlMs`, together with their unpaid 402 pre-serialized around the
 * resource URL, so the hot unpaid path costs one small string join and one base64 encode.
 * Routes with price or payTo functions are rebuilt on every request.
 */
import {
  type PaymentRequired,
  type PaymentRequirements,
  type ResourceInfo,
  type ResourceServer,
  requirementsToV1,
} from '@x402kit/core';
import type { CompiledRoute, RouteContext } from './route-table.js';

/** The offers of one request, and (fixed-price routes) the unpaid 402 template. */
export type RouteOffers = {
  accepts: PaymentRequirements[];
  unpaid?: UnpaidTemplate;
};

/** The unpaid 402's JSON split around the resource URL; the last rendering is memoized. */
export type UnpaidTemplate = {
  headerParts: string[];
  bodyParts: string[] | undefined;
  lastUrl?: string;
  lastHeader?: string;
  lastBody?: string;
};

/** `PaymentRequired.error` of an unpaid 402 (the reference wording). */
export const UNPAID_ERROR = 'Payment required';
/** `error` of the v1 document in an unpaid 402's body (the v1 reference wording). */
export const UNPAID_ERROR_V1 = 'X-PAYMENT header is required';

const URL_PLACEHOLDER = '\u0000x402kit-resource-url\u0000';
/** The placeholder as it appears inside a JSON string. */
export const URL_PLACEHOLDER_JSON = JSON.stringify(URL_PLACEHOLDER).slice(1, -1);

/**
 * The resource a route advertises for a request.
 *
 * @example
 * resourceOf(route, ctx) // { url: 'https://api.example.com/weather', description: '', mimeType: '' }
 */
export function resourceOf(route: CompiledRoute, ctx: Pick<RouteContext, 'url'>): ResourceInfo {
  return {
    url: route.config.resource ?? ctx.url,
    description: route.config.description ?? '',
    mimeType: route.config.mimeType ?? '',
  };
}

/**
 * The x402 v1 document for a 402 body, or undefined when no offer has a v1 network name.
 *
 * @example
 * v1Document(accepts, resource, 'X-PAYMENT header is required') // '{"x402Version":1,...}'
 */
export function v1Document(
  accepts: PaymentRequirements[],
  resource: ResourceInfo,
  error: string,
): string | undefined {
  const v1Accepts = accepts.flatMap((r) => requirementsToV1(r, resource) ?? []);
  return v1Accepts.length === 0 ? undefined : JSON.stringify({ x402Version: 1, error, accepts: v1Accepts });
}

/** What goes in the body of a 402 that carries `PAYMENT-REQUIRED`, see {@link documentBody}. */
export type DocumentBodyOptions = {
  /** Bodies carry a document at all (the handler's `v1` option); false: `{}`, as the reference's v2 servers. */
  v1: boolean;
  /** The request is x402 v1 (or the route answers unpaid requests for v1-only clients): the v1 document. */
  v1Document: boolean;
};

/**
 * The body of a 402 that carries `PAYMENT-REQUIRED`: the same v2 `PaymentRequired` (clients that
 * read bodies), or the v1 document `{x402Version: 1, error, accepts}` when a v1 client must read it
 * (falling back to v2 when no offer has a v1 network name); undefined (`{}`) when `v1` is off.
 *
 * @example
 * documentBody(paymentRequired, resource, { v1: true, v1Document: false }, 'X-PAYMENT header is required') // '{"x402Version":2,...}'
 */
export function documentBody(
  paymentRequired: PaymentRequired,
  resource: ResourceInfo,
  options: DocumentBodyOptions,
  v1Error: string,
): string | undefined {
  if (!options.v1) return undefined;
  const v1 = options.v1Document ? v1Document(paymentRequired.accepts, resource, v1Error) : undefined;
  return v1 ?? JSON.stringify(paymentRequired);
}

/** Options of {@link createRouteOffers}. */
export type RouteOffersOptions = {
  server: ResourceServer;
  /** Bodies of unpaid 402s carry a document (the v2 `PaymentRequired`); false: `{}`. */
  v1: boolean;
  /** The unpaid body is the v1 document instead, for v1-only clients (see `v1UnpaidBody`). */
  v1UnpaidBody?: boolean;
  /** How long fixed-price offers are reused; 0 disables reuse. */
  ttlMs: number;
  /** Told when a refresh fails and the previous offers are kept. */
  onStale?: (route: CompiledRoute, error: unknown) => void;
};

/**
 * Create the offers source of a payment handler.
 *
 * @example
 * const offers = createRouteOffers({ server, v1: true, ttlMs: 5000 });
 * const { accepts } = await offers.offersFor(route, ctx);
 */
export function createRouteOffers(options: RouteOffersOptions): {
  offersFor(route: CompiledRoute, ctx: RouteContext): Promise<RouteOffers> | RouteOffers;
} {
  const { server, v1, ttlMs } = options;
  const cache = new Map<CompiledRoute, { at: number; offers: RouteOffers }>();
  const building = new Map<CompiledRoute, Promise<RouteOffers>>();

  function makeTemplate(route: CompiledRoute, accepts: PaymentRequirements[]): UnpaidTemplate {
    const resource = resourceOf(route, { url: URL_PLACEHOLDER });
    const paymentRequired = server.createPaymentRequired(accepts, resource, {
      error: UNPAID_ERROR,
      ...(route.config.extensions ? { extensions: route.config.extensions } : {}),
    });
    const body = documentBody(
      paymentRequired,
      resource,
      { v1, v1Document: options.v1UnpaidBody ?? false },
      UNPAID_ERROR_V1,
    );
    return {
      headerParts: JSON.stringify(paymentRequired).split(URL_PLACEHOLDER_JSON),
      bodyParts: body?.split(URL_PLACEHOLDER_JSON),
    };
  }

  async function build(route: CompiledRoute, ctx: RouteContext): Promise<RouteOffers> {
    const accepts = await server.buildRequirements(route.options, ctx);
    // A scheme that puts per-402 data in extensions (a server-chosen nonce) gets a fresh 402 each time.
    const cacheable = route.isStatic && !server.hasDynamicExtensions(accepts);
    return cacheable ? { accepts, unpaid: makeTemplate(route, accepts) } : { accepts };
  }

  return {
    offersFor(route, ctx) {
      if (!route.isStatic) return build(route, ctx);
      const hit = cache.get(route);
      if (hit && Date.now() - hit.at < ttlMs) return hit.offers;
      let pending = building.get(route);
      if (!pending) {
        pending = build(route, ctx)
          .then(
            (offers) => {
              if (ttlMs > 0) cache.set(route, { at: Date.now(), offers });
              return offers;
            },
            (error: unknown) => {
              // a refresh that fails keeps serving the last good offers
              if (!hit) throw error;
              options.onStale?.(route, error);
              return hit.offers;
            },
          )
          .finally(() => building.delete(route));
        building.set(route, pending);
      }
      return pending;
    },
  };
}
