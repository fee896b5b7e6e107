/**
 * The route table: which requests must pay, and how. Keys are `"VERB /path"` or `"/path"`
 * (any verb); values say what to charge. The table is compiled once (one regex per route);
 * a lookup normalizes the path (see `normalize-path.ts`) and tests the routes in declaration
 * order, first match wins.
 */
import {
  BAZAAR,
  type BazaarExtension,
  type DiscoveryConfig,
  declareDiscovery,
  declarePaymentIdentifier,
  enrichDiscovery,
  PAYMENT_IDENTIFIER,
  type PaymentOption,
  routeTemplateOf,
  type SettleResponse,
  X402Error,
} from '@x402kit/core';
import { normalizePath } from './normalize-path.js';

/** What dynamic prices, `payTo` functions and body hooks receive. */
export type RouteContext = {
  /**
   * The Web request (adapters may build it lazily on first access). Reading its body consumes
   * it for the handler too: read `request.clone()` instead, or parse the body before the middleware.
   */
  readonly request: Request;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The normalized path the route matched. */
  readonly path: string;
  /** `:name` / `[name]` segments of the route pattern, decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** Absolute request URL. */
  readonly url: string;
};

/** A custom body for a 402 the middleware writes itself. */
export type ResponseBody = {
  contentType: string;
  body: string | Uint8Array<ArrayBuffer> | Record<string, unknown> | unknown[];
};

/** How one route is paid. */
export type RouteConfig = {
  /** One or more ways to pay; offered in this order. */
  accepts: PaymentOption<RouteContext> | PaymentOption<RouteContext>[];
  /** Resource URL advertised in the 402; default: the request URL. */
  resource?: string;
  description?: string;
  mimeType?: string;
  /** Extension declarations put on the 402 (`bazaar`, ...). */
  extensions?: Record<string, unknown>;
  /**
   * Declare the `payment-identifier` extension (idempotent payments): `true` or `{ required: false }`
   * lets clients send an id, `{ required: true }` refuses a payment without one (400,
   * `payment_identifier_required`). An invalid id is refused (400, `invalid_payment_identifier`); a
   * facilitator that saw the id with another payment makes the answer 409 (`payment_identifier_conflict`).
   */
  paymentIdentifier?: boolean | { required: boolean };
  /**
   * List the route in facilitator catalogs (the `bazaar` extension): how it is called (query
   * parameters, or a body and its type) and what it answers, each with an example and a JSON Schema.
   * The 402 then declares `extensions.bazaar` with the route's verb and, for a parameterized
   * route, its template (`/weather/:city`); a facilitator that settles a payment for it lists it at
   * `GET /discovery/resources`. An `extensions.bazaar` written by hand (the reference's
   * `declareDiscoveryExtension`) is completed the same way.
   */
  discoverable?: DiscoveryConfig;
  /**
   * Let a payer who paid for this route before sign in with the paying wallet instead of paying
   * again (the `sign-in-with-x` extension; needs the payment handler's `signInWithX` option). `true`,
   * or a statement shown in the wallet and the networks accepted (default: the offers' networks).
   */
  signInWithX?: boolean | { statement?: string; networks?: string[] };
  /** Body of the unpaid 402 (API clients); default: see `createPaymentHandler`. */
  unpaidResponseBody?: (ctx: RouteContext) => ResponseBody | Promise<ResponseBody>;
  /** Body of the 402 sent when settlement fails; default `{}`. */
  settlementFailedResponseBody?: (
    ctx: RouteContext,
    settlement: SettleResponse,
  ) => ResponseBody | Promise<ResponseBody>;
  /**
   * When to settle:
   * - `'after-response'` (default, the official `authorization` flow): verify (which reserves the
   *   payment for this request), run the handler with its output held, settle, then release it;
   * - `'before-handler'` (the official `upfront` flow, for handlers with side effects): settle
   *   first and run the handler only once the payment is on chain. The offers carry
   *   `extra.paymentFlow: 'upfront'`, as `@x402/*` 2.27 writes it. An option that already says
   *   `extra: { paymentFlow: 'upfront' }` selects this too.
   */
  settle?: SettleTiming;
};

/** When a route settles, see {@link RouteConfig.settle}. */
export type SettleTiming = 'after-response' | 'before-handler';

/** The official name of the settle-before-handler flow, written in `extra.paymentFlow`. */
export const UPFRONT_FLOW = 'upfront';
const PAYMENT_FLOWS = new Set(['authorization', UPFRONT_FLOW]);

/** A route table, or one {@link RouteConfig} that applies to every request. */
export type RoutesConfig = Record<string, RouteConfig> | RouteConfig;

/** One compiled route. */
export type CompiledRoute = {
  /** The key as written, e.g. `"GET /weather/:city"`. */
  key: string;
  /** Upper-case verb, or `*` for any. */
  verb: string;
  pattern: string;
  regex: RegExp;
  paramNames: string[];
  config: RouteConfig;
  /** The config's `accepts`, always as an array. */
  options: PaymentOption<RouteContext>[];
  /** True when no option has a function price or payTo: requirements can be cached. */
  isStatic: boolean;
  /** When this route settles (the options' `extra.paymentFlow` agrees with it). */
  settle: SettleTiming;
};

/** A compiled route table. */
export type RouteTable = { routes: CompiledRoute[] };

/** Result of {@link matchRoute}. */
export type RouteLookup =
  | { type: 'unprotected' }
  | { type: 'invalid'; reason: 'invalid_path'; message: string }
  | { type: 'protected'; route: CompiledRoute; path: string; params: Record<string, string> };

/** Reason code of route-table configuration errors (core's list has none for this). */
export const INVALID_ROUTE_CONFIG = 'invalid_route_config';

const VERB = /^[A-Za-z]+$|^\*$/;
const PARAM_NAME = /^[A-Za-z_$][\w$]*$/;

/**
 * Compile a route table once, at startup. Throws an `X402Error` (`invalid_route_config`)
 * naming the bad key or field.
 *
 * Pattern syntax: literal segments (case-insensitive), `:name` or `[name]` for one segment,
 * `*` for any characters including `/` (a trailing `/*` also matches the prefix itself).
 * A `GET` route also covers `HEAD` (frameworks run GET handlers for HEAD). A route without a
 * verb covers every verb, `OPTIONS` included: mount CORS middleware before the payment
 * middleware so that preflight requests are answered before they reach it.
 *
 * @example
 * const table = compileRoutes({
 *   'GET /weather/:city': { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' } },
 *   '/premium/*': { accepts: [...] },
 * });
 */
export function compileRoutes(routes: RoutesConfig): RouteTable {
  const entries: Array<[string, RouteConfig]> = isRouteConfig(routes)
    ? [['*', routes]]
    : Object.entries(routes);
  return { routes: entries.map(([key, config]) => compileRoute(key, config)) };
}

/**
 * Find the route a request must pay for. The path is normalized first; every ambiguous
 * reading of it is tried, so a protected handler cannot be reached by spelling its path
 * differently. A path that cannot be normalized safely is `invalid` (answer 400).
 *
 * @example
 * matchRoute(table, 'GET', '/weather/Paris?units=c')
 * // { type: 'protected', route, path: '/weather/Paris', params: { city: 'Paris' } }
 */
export function matchRoute(table: RouteTable, method: string, target: string): RouteLookup {
  const normalized = normalizePath(target);
  if (!normalized.ok) return { type: 'invalid', reason: normalized.reason, message: normalized.message };
  const verb = method.toUpperCase();
  const hit = find(table, verb, normalized.path);
  if (hit) return hit;
  for (const variant of normalized.variants) {
    const other = find(table, verb, variant);
    if (other) return other;
  }
  return { type: 'unprotected' };
}

function find(table: RouteTable, verb: string, path: string): RouteLookup | undefined {
  for (const route of table.routes) {
    if (route.verb !== '*' && route.verb !== verb && !(verb === 'HEAD' && route.verb === 'GET')) continue;
    const m = route.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < route.paramNames.length; i++) params[route.paramNames[i]!] = m[i + 1] ?? '';
    return { type: 'protected', route, path, params };
  }
  return undefined;
}

/** Does this value look like a single {@link RouteConfig} rather than a table? */
function isRouteConfig(value: RoutesConfig): value is RouteConfig {
  return typeof value === 'object' && value !== null && 'accepts' in value && !Array.isArray(value);
}

function compileRoute(key: string, config: RouteConfig): CompiledRoute {
  const trimmed = key.trim();
  const space = trimmed.search(/\s/);
  const verb = space < 0 ? '*' : trimmed.slice(0, space).toUpperCase();
  let pattern = space < 0 ? trimmed : trimmed.slice(space).trim();
  if (!VERB.test(verb)) fail(key, `"${verb}" is not an HTTP method`);
  if (pattern === '*') pattern = '/*';
  if (!pattern.startsWith('/')) fail(key, 'the path must start with "/" (or be "*")');
  const { regex, paramNames } = compilePattern(key, pattern);
  if (typeof config !== 'object' || config === null) fail(key, 'the value must be a route config object');
  const options = Array.isArray(config.accepts) ? config.accepts : [config.accepts];
  if (options.length === 0) fail(key, '`accepts` must list at least one payment option');
  options.forEach((o, i) => {
    if (typeof o !== 'object' || o === null) fail(key, `accepts[${i}] must be an object`);
    for (const field of ['scheme', 'network'] as const) {
      if (typeof o[field] !== 'string' || o[field].length === 0)
        fail(key, `accepts[${i}].${field} must be a non-empty string`);
    }
    if (o.payTo === undefined || o.payTo === '') fail(key, `accepts[${i}].payTo is required`);
    if (o.price === undefined || o.price === '') fail(key, `accepts[${i}].price is required`);
  });
  const settle = settleTiming(key, config, options);
  const isStatic = options.every((o) => typeof o.price !== 'function' && typeof o.payTo !== 'function');
  const offered =
    settle === 'before-handler'
      ? options.map((o) => ({ ...o, extra: { ...o.extra, paymentFlow: UPFRONT_FLOW } }))
      : options;
  return {
    key,
    verb,
    pattern,
    regex,
    paramNames,
    config: withDeclarations(config, verb, pattern),
    options: offered,
    isStatic,
    settle,
  };
}

/** The route's settle timing, from `settle` or the options' `extra.paymentFlow` (which must agree). */
function settleTiming(
  key: string,
  config: RouteConfig,
  options: PaymentOption<RouteContext>[],
): SettleTiming {
  if (
    config.settle !== undefined &&
    config.settle !== 'after-response' &&
    config.settle !== 'before-handler'
  ) {
    fail(key, `settle must be 'after-response' or 'before-handler', got ${JSON.stringify(config.settle)}`);
  }
  const flows = new Set<string>();
  options.forEach((o, i) => {
    const flow = o.extra?.paymentFlow;
    if (flow === undefined) return;
    if (typeof flow !== 'string' || !PAYMENT_FLOWS.has(flow)) {
      fail(
        key,
        `accepts[${i}].extra.paymentFlow must be 'authorization' or 'upfront', got ${JSON.stringify(flow)}`,
      );
    }
    flows.add(flow);
  });
  const upfront = config.settle === 'before-handler' || flows.has(UPFRONT_FLOW);
  if (upfront && (config.settle === 'after-response' || flows.has('authorization'))) {
    fail(
      key,
      "the route mixes settle-before-handler ('upfront') and settle-after-response ('authorization') options",
    );
  }
  return upfront ? 'before-handler' : 'after-response';
}

/**
 * The config with the declarations of its shorthand options (`paymentIdentifier`, `discoverable`)
 * added to `extensions`, and its bazaar declaration completed with the route's verb and template.
 */
function withDeclarations(config: RouteConfig, verb: string, pattern: string): RouteConfig {
  const extensions: Record<string, unknown> = { ...config.extensions };
  const option = config.paymentIdentifier;
  if (option !== undefined && option !== false) {
    const required = option === true ? false : option.required;
    extensions[PAYMENT_IDENTIFIER] = declarePaymentIdentifier({ required });
  }
  if (config.discoverable !== undefined) extensions[BAZAAR] = declareDiscovery(config.discoverable);
  const bazaar = extensions[BAZAAR];
  const declared = bazaar as Partial<BazaarExtension> | undefined;
  // only a declaration with an http input is completed (an mcp one, or any other shape, is sent as written)
  if (declared?.info?.input?.type === 'http' && declared.schema) {
    // a route for any verb is listed with the verb its declaration implies, as the reference does
    const method = verb !== '*' ? verb : 'body' in declared.info.input ? 'POST' : 'GET';
    const routeTemplate = routeTemplateOf(pattern);
    extensions[BAZAAR] = enrichDiscovery(declared as BazaarExtension, {
      method,
      ...(routeTemplate ? { routeTemplate } : {}),
    });
  }
  return Object.keys(extensions).length === 0 ? config : { ...config, extensions };
}

function compilePattern(key: string, pattern: string): { regex: RegExp; paramNames: string[] } {
  let decoded = pattern;
  try {
    decoded = decodeURI(pattern);
  } catch {
    // keep the pattern as written
  }
  const segments = decoded
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  const paramNames: string[] = [];
  let body = '';
  segments.forEach((segment, i) => {
    if (segment === '..') fail(key, 'a pattern cannot contain ".."');
    if (segment === '*' && i === segments.length - 1) {
      body += '(?:/.*)?';
      return;
    }
    body += `/${compileSegment(key, segment, paramNames)}`;
  });
  if (body === '') body = '/';
  return { regex: new RegExp(`^${body}$`, 'is'), paramNames };
}

function compileSegment(key: string, segment: string, paramNames: string[]): string {
  let out = '';
  let i = 0;
  while (i < segment.length) {
    const c = segment[i]!;
    if (c === '*') {
      out += '.*';
      i++;
    } else if (c === ':' || c === '[') {
      const end = c === '[' ? segment.indexOf(']', i) : endOfName(segment, i + 1);
      if (end < 0) fail(key, `"${segment}" has a "[" without "]"`);
      const name = segment.slice(i + 1, end);
      if (!PARAM_NAME.test(name)) fail(key, `"${segment}" has an invalid parameter name`);
      if (paramNames.includes(name)) fail(key, `parameter "${name}" appears twice`);
      paramNames.push(name);
      out += '([^/]+)';
      i = c === '[' ? end + 1 : end;
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  return out;
}

function endOfName(segment: string, from: number): number {
  let i = from;
  while (i < segment.length && /[\w$]/.test(segment[i]!)) i++;
  return i;
}

function fail(key: string, message: string): never {
  throw new X402Error(INVALID_ROUTE_CONFIG, `route "${key}": ${message}`);
}
