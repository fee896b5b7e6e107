/**
 * A facilitator's discovery list (`GET /discovery/resources`) of the resources it catalogued from
 * bazaar declarations: the listed resource and the answer's shape, reading and matching the list's
 * query, and fetching one page of it.
 */
import { X402Error } from '../protocol/errors.js';
import type { AnyPaymentRequirements } from '../protocol/schemas.js';
import { BazaarReasons } from './bazaar-reasons.js';

/** A resource in a facilitator's discovery list (`GET /discovery/resources`). */
export type DiscoveryResource = {
  /** The catalog key: origin plus route template or path. */
  resource: string;
  /** `http` or `mcp`. */
  type: string;
  x402Version: number;
  /** The offers the resource was paid with. */
  accepts: AnyPaymentRequirements[];
  /** ISO 8601 time of the last payment seen. */
  lastUpdated: string;
  description?: string;
  mimeType?: string;
  /** The declaration, `{ bazaar: { info, schema, routeTemplate? } }`. */
  extensions?: Record<string, unknown>;
};

/** The answer of `GET /discovery/resources`. */
export type DiscoveryResourcesResponse = {
  x402Version: number;
  items: DiscoveryResource[];
  pagination: { limit: number; offset: number; total: number };
};

/** A parsed `GET /discovery/resources` query. */
export type DiscoveryQuery = {
  type?: 'http' | 'mcp';
  payTo?: string;
  scheme?: string;
  network?: string;
  /** An extension key the resource must declare. */
  extensions?: string;
  /** 1 to 100; default 20. */
  limit: number;
  /** Default 0. */
  offset: number;
};

/** The most items one page of the discovery list holds. */
export const DISCOVERY_MAX_LIMIT = 100;
/** Items per page when the query names no `limit`. */
export const DISCOVERY_DEFAULT_LIMIT = 20;

/**
 * Read a discovery query. Throws an `X402Error` (`invalid_discovery_query`) naming the parameter
 * for a `type` other than `http`/`mcp`, a `limit` outside 1-100 or an `offset` that is not a
 * non-negative integer, a repeated or empty parameter; unknown parameters are ignored.
 *
 * @example
 * parseDiscoveryQuery(new URLSearchParams('type=http&limit=10')) // { type: 'http', limit: 10, offset: 0 }
 */
export function parseDiscoveryQuery(params: URLSearchParams): DiscoveryQuery {
  const one = (name: string): string | undefined => {
    const values = params.getAll(name);
    if (values.length === 0) return undefined;
    if (values.length > 1) fail(`"${name}" is given ${values.length} times`);
    const value = values[0]!;
    if (value === '' || value.length > 256) fail(`"${name}" must be 1-256 characters`);
    return value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = one(name);
    if (raw === undefined) return fallback;
    if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max)
      fail(`"${name}" must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  const type = one('type');
  if (type !== undefined && type !== 'http' && type !== 'mcp')
    fail(`"type" must be "http" or "mcp", got ${JSON.stringify(type)}`);
  const query: DiscoveryQuery = {
    limit: integer('limit', DISCOVERY_DEFAULT_LIMIT, 1, DISCOVERY_MAX_LIMIT),
    offset: integer('offset', 0, 0, 1_000_000_000),
  };
  if (type !== undefined) query.type = type;
  for (const name of ['payTo', 'scheme', 'network', 'extensions'] as const) {
    const value = one(name);
    if (value !== undefined) query[name] = value;
  }
  return query;
}

function fail(message: string): never {
  throw new X402Error(BazaarReasons.invalidQuery, `discovery query: ${message}`);
}

/**
 * Does a catalogued resource pass a query's filters (`type`, `payTo`, `scheme`, `network`,
 * `extensions`)? Addresses compare case-insensitively.
 *
 * @example listed.filter((r) => matchesDiscoveryQuery(r, query))
 */
export function matchesDiscoveryQuery(resource: DiscoveryResource, query: DiscoveryQuery): boolean {
  if (query.type !== undefined && resource.type !== query.type) return false;
  if (query.extensions !== undefined && !(query.extensions in (resource.extensions ?? {}))) return false;
  const offers = resource.accepts as Array<Record<string, unknown>>;
  const some = (field: string, want: string | undefined) =>
    want === undefined ||
    offers.some(
      (o) => typeof o[field] === 'string' && (o[field] as string).toLowerCase() === want.toLowerCase(),
    );
  return some('payTo', query.payTo) && some('scheme', query.scheme) && some('network', query.network);
}

/** Options of {@link listDiscoveryResources}. */
export type ListDiscoveryOptions = Partial<Omit<DiscoveryQuery, 'limit' | 'offset'>> & {
  limit?: number;
  offset?: number;
  /** Extra request headers (an API key). */
  headers?: Record<string, string>;
  /** Default `globalThis.fetch`. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Default 10 s. */
  timeoutMs?: number;
};

/**
 * One page of a facilitator's discovery list (`GET <url>/discovery/resources`). Throws an
 * `X402Error` (`discovery_unavailable`) when the facilitator cannot be reached, refuses (its reason
 * in the message) or answers something that is not a discovery list.
 *
 * @example
 * const { items, pagination } = await listDiscoveryResources('http://127.0.0.1:4022', { type: 'http' })
 */
export async function listDiscoveryResources(
  facilitatorUrl: string,
  options: ListDiscoveryOptions = {},
): Promise<DiscoveryResourcesResponse> {
  const { headers, fetch: fetchImpl = globalThis.fetch, timeoutMs = 10_000, ...query } = options;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const search = params.toString();
  const endpoint = `${facilitatorUrl.replace(/\/+$/, '')}/discovery/resources${search ? `?${search}` : ''}`;
  let response: Response;
  try {
    response = await fetchImpl(endpoint, { headers: headers ?? {}, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new X402Error(
      BazaarReasons.unavailable,
      `cannot reach ${endpoint}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const reason = typeof body === 'object' && body !== null ? Reflect.get(body, 'error') : undefined;
    const message = typeof body === 'object' && body !== null ? Reflect.get(body, 'message') : undefined;
    throw new X402Error(
      BazaarReasons.unavailable,
      `${endpoint} answered ${response.status}${reason ? ` (${String(reason)}${message ? `: ${String(message)}` : ''})` : ''}`,
    );
  }
  if (!isDiscoveryResponse(body))
    throw new X402Error(BazaarReasons.unavailable, `${endpoint} did not answer a discovery list`);
  return body;
}

function isDiscoveryResponse(body: unknown): body is DiscoveryResourcesResponse {
  if (typeof body !== 'object' || body === null) return false;
  const { items, pagination } = body as { items?: unknown; pagination?: unknown };
  return (
    Array.isArray(items) &&
    items.every(
      (i) => typeof i === 'object' && i !== null && typeof Reflect.get(i, 'resource') === 'string',
    ) &&
    typeof pagination === 'object' &&
    pagination !== null &&
    typeof Reflect.get(pagination, 'total') === 'number'
  );
}
