/**
 * The `bazaar` extension (x402 v2 discovery): a server declares how its paid route is called (input:
 * method, query parameters or body, with a JSON Schema; output: an example and its schema) in
 * `PaymentRequired.extensions.bazaar`; the client echoes it in its payment; the facilitator that
 * settles the payment catalogs the resource and lists it at `GET /discovery/resources`.
 *
 * Wire facts (shared with the reference `@x402/extensions` 2.27): key `bazaar`; the declaration is
 * `{ info: { input, output? }, schema }` where `schema` is a JSON Schema 2020-12 document that
 * `info` must satisfy; per request the server sets `info.input.method` (and narrows the schema's
 * `method` enum to it) and, for a parameterized route, a top-level `routeTemplate` such as
 * `/users/:id`. A facilitator keys its catalog by the resource's origin plus the route template (or
 * the path), query dropped.
 */
import { X402Error } from '../protocol/errors.js';
import { defineReasons } from '../protocol/reason-registry.js';
import type { AnyPaymentPayload, AnyPaymentRequirements } from '../protocol/schemas.js';
import { checkJsonSchema } from './bazaar-json-schema.js';

/** The extension key in `extensions`. */
export const BAZAAR = 'bazaar';

/** Reason codes of discovery. */
export const BazaarReasons = defineReasons('@x402kit/core/bazaar', {
  /** `GET /discovery/resources` was asked with a parameter it cannot read (HTTP 400). */
  invalidQuery: 'invalid_discovery_query',
  /** A bazaar declaration does not meet the extension's rules, or its `info` fails its own `schema`. */
  invalidExtension: 'invalid_bazaar_extension',
  /** The facilitator's discovery list could not be read (unreachable, or not a discovery answer). */
  unavailable: 'discovery_unavailable',
});

const JSON_SCHEMA_2020 = 'https://json-schema.org/draft/2020-12/schema';
const QUERY_METHODS = ['GET', 'HEAD', 'DELETE'] as const;
const BODY_METHODS = ['POST', 'PUT', 'PATCH'] as const;
const BODY_TYPES = ['json', 'form-data', 'text'] as const;

/** A route's output as declared: an example response and, optionally, the JSON Schema of it. */
export type DiscoveryOutput = { example?: unknown; schema?: Record<string, unknown> };

/** Discovery of a route read with query parameters (`GET`, `HEAD`, `DELETE`). */
export type QueryDiscoveryConfig = {
  /** Usually left out: the middleware fills in the request's verb. */
  method?: (typeof QUERY_METHODS)[number];
  /** Example query parameters. */
  input?: Record<string, unknown>;
  /** JSON Schema of the query parameters (`{ properties, required }`). */
  inputSchema?: Record<string, unknown>;
  output?: DiscoveryOutput;
};

/** Discovery of a route that takes a body (`POST`, `PUT`, `PATCH`). */
export type BodyDiscoveryConfig = {
  method?: (typeof BODY_METHODS)[number];
  bodyType: (typeof BODY_TYPES)[number];
  /** Example body. */
  input?: Record<string, unknown>;
  /** JSON Schema of the body. */
  inputSchema?: Record<string, unknown>;
  output?: DiscoveryOutput;
};

/** Discovery of an MCP tool. */
export type McpDiscoveryConfig = {
  toolName: string;
  description?: string;
  transport?: 'streamable-http' | 'sse' | (string & {});
  inputSchema: Record<string, unknown>;
  example?: Record<string, unknown>;
  output?: DiscoveryOutput;
};

/** What {@link declareDiscovery} takes. */
export type DiscoveryConfig = QueryDiscoveryConfig | BodyDiscoveryConfig | McpDiscoveryConfig;

/** The declaration in `extensions.bazaar`. */
export type BazaarExtension = {
  info: { input: Record<string, unknown>; output?: { type?: string; format?: string; example?: unknown } };
  /** JSON Schema 2020-12 that `info` satisfies. */
  schema: Record<string, unknown>;
  /** A parameterized route's template, e.g. `/weather/:city` (set per request by the server). */
  routeTemplate?: string;
};

function outputParts(output: DiscoveryOutput | undefined): {
  info: Record<string, unknown>;
  schema: Record<string, unknown>;
} {
  // the reference declares an output only when it has a (truthy) example
  if (!output?.example) return { info: {}, schema: {} };
  return {
    info: { output: { type: 'json', example: output.example } },
    schema: {
      output: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          example: { type: 'object', ...(output.schema ?? {}) },
        },
        required: ['type'],
      },
    },
  };
}

function document(input: Record<string, unknown>, output: ReturnType<typeof outputParts>['schema']) {
  return {
    $schema: JSON_SCHEMA_2020,
    type: 'object',
    properties: { input, ...output },
    required: ['input'],
  };
}

/**
 * The bazaar declaration of a route, the same JSON as the reference's `declareDiscoveryExtension`
 * (which wraps it as `{ bazaar: ... }`). Put it in a route's `extensions.bazaar`, or give the config
 * to the route's `discoverable` option.
 *
 * @example
 * const bazaar = declareDiscovery({
 *   input: { city: 'Paris' },
 *   inputSchema: { properties: { city: { type: 'string' } }, required: ['city'] },
 *   output: { example: { weather: 'sunny' } },
 * });
 * routes: { 'GET /weather': { accepts, extensions: { [BAZAAR]: bazaar } } }
 */
export function declareDiscovery(config: DiscoveryConfig): BazaarExtension {
  const output = outputParts(config.output);
  if ('toolName' in config) return declareMcpDiscovery(config, output);
  if ('bodyType' in config && config.bodyType !== undefined) return declareBodyDiscovery(config, output);
  return declareQueryDiscovery(config, output);
}

type OutputParts = ReturnType<typeof outputParts>;

/** The declaration of an MCP tool: its name, input schema and the optional fields that were given. */
function declareMcpDiscovery(config: McpDiscoveryConfig, output: OutputParts): BazaarExtension {
  const has = (value: unknown) => value !== undefined;
  return {
    info: {
      input: {
        type: 'mcp',
        toolName: config.toolName,
        ...(has(config.description) ? { description: config.description } : {}),
        ...(has(config.transport) ? { transport: config.transport } : {}),
        inputSchema: config.inputSchema,
        ...(has(config.example) ? { example: config.example } : {}),
      },
      ...output.info,
    },
    schema: document(
      {
        type: 'object',
        properties: {
          type: { type: 'string', const: 'mcp' },
          toolName: { type: 'string' },
          ...(has(config.description) ? { description: { type: 'string' } } : {}),
          ...(has(config.transport)
            ? {
                transport: {
                  type: 'string',
                  ...(config.transport === 'streamable-http' || config.transport === 'sse'
                    ? { enum: [config.transport] }
                    : {}),
                },
              }
            : {}),
          inputSchema: { type: 'object' },
          ...(has(config.example) ? { example: { type: 'object' } } : {}),
        },
        required: ['type', 'toolName', 'inputSchema'],
        additionalProperties: false,
      },
      output.schema,
    ),
  };
}

/** The declaration of a route that takes a body of `config.bodyType`. */
function declareBodyDiscovery(config: BodyDiscoveryConfig, output: OutputParts): BazaarExtension {
  const method = config.method ? { method: config.method } : {};
  const inputSchema = config.inputSchema ?? { properties: {} };
  return {
    info: {
      input: { type: 'http', ...method, bodyType: config.bodyType, body: config.input ?? {} },
      ...output.info,
    },
    schema: document(
      {
        type: 'object',
        properties: {
          type: { type: 'string', const: 'http' },
          method: { type: 'string', enum: [...BODY_METHODS] },
          bodyType: { type: 'string', enum: [...BODY_TYPES] },
          body: inputSchema,
        },
        required: ['type', 'method', 'bodyType', 'body'],
        additionalProperties: false,
      },
      output.schema,
    ),
  };
}

/** The declaration of a route read with query parameters (also a body config whose `bodyType` is undefined). */
function declareQueryDiscovery(
  config: QueryDiscoveryConfig | BodyDiscoveryConfig,
  output: OutputParts,
): BazaarExtension {
  const method = config.method ? { method: config.method } : {};
  const inputSchema = config.inputSchema ?? { properties: {} };
  return {
    info: { input: { type: 'http', ...method, queryParams: config.input ?? {} }, ...output.info },
    schema: document(
      {
        type: 'object',
        properties: {
          type: { type: 'string', const: 'http' },
          method: { type: 'string', enum: [...QUERY_METHODS] },
          queryParams: { type: 'object', ...inputSchema },
        },
        required: ['type', 'method'],
        additionalProperties: false,
      },
      output.schema,
    ),
  };
}

/**
 * The route template the catalog shows for a route pattern: `[name]` and `:name` segments become
 * `:name`, `*` segments `:var1`, `:var2`, ...; `undefined` for a pattern without parameters (the
 * concrete path is used then) or one made only of wildcards.
 *
 * @example
 * routeTemplateOf('/weather/[city]') // '/weather/:city'
 * routeTemplateOf('/files/*')        // '/files/:var1'
 * routeTemplateOf('/weather')        // undefined
 */
export function routeTemplateOf(pattern: string): string | undefined {
  const segments = pattern.split('/');
  const named = segments.filter((s) => s.length > 0);
  if (named.length > 0 && named.every((s) => s === '*')) return undefined;
  let wildcards = 0;
  let dynamic = false;
  const template = segments
    .map((segment) => {
      if (segment === '*') {
        dynamic = true;
        wildcards++;
        return `:var${wildcards}`;
      }
      const replaced = segment.replace(/\[([^\]]+)\]/g, ':$1');
      if (/:[A-Za-z_]/.test(replaced)) dynamic = true;
      return replaced;
    })
    .join('/');
  return dynamic && isValidRouteTemplate(template) ? template : undefined;
}

/**
 * A declaration completed for one request, as the reference server does: `info.input.method` set
 * to the verb (the schema's `method` enum narrowed to it and required), and for a parameterized
 * route the `routeTemplate` (and, when given, the request's `pathParams`). MCP declarations are
 * returned unchanged. Never mutates its input.
 *
 * @example
 * enrichDiscovery(declareDiscovery({ input: {} }), { method: 'GET', routeTemplate: '/weather/:city' })
 */
export function enrichDiscovery(
  extension: BazaarExtension,
  request: { method: string; routeTemplate?: string; pathParams?: Record<string, string> },
): BazaarExtension {
  if (extension.info?.input?.type === 'mcp') return extension;
  const schema = extension.schema ?? {};
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const inputSchema = properties.input ?? {};
  const inputProps = (inputSchema.properties ?? {}) as Record<string, unknown>;
  const required = Array.isArray(inputSchema.required) ? (inputSchema.required as string[]) : [];
  const withPathParams = request.pathParams !== undefined && !('pathParams' in inputProps);
  return {
    ...extension,
    ...(request.routeTemplate !== undefined ? { routeTemplate: request.routeTemplate } : {}),
    info: {
      ...extension.info,
      input: {
        ...extension.info?.input,
        method: request.method,
        ...(request.pathParams !== undefined ? { pathParams: request.pathParams } : {}),
      },
    },
    schema: {
      ...schema,
      properties: {
        ...properties,
        input: {
          ...inputSchema,
          properties: {
            ...inputProps,
            method: { type: 'string', enum: [request.method] },
            ...(withPathParams ? { pathParams: { type: 'object' } } : {}),
          },
          required: required.includes('method') ? required : [...required, 'method'],
        },
      },
    },
  };
}

const ROUTE_TEMPLATE = /^\/[a-zA-Z0-9_/:.\-~%]+$/;

/**
 * Is `value` a safe route template (a facilitator ignores any other, so a payer cannot catalog a
 * payment under an arbitrary URL)? It starts with `/`, uses only URL path characters, and holds no
 * `..` or `://` however often it is percent-decoded.
 *
 * @example isValidRouteTemplate('/users/:id') // true; isValidRouteTemplate('/a/%2e%2e/b') // false
 */
export function isValidRouteTemplate(value: unknown): value is string {
  if (typeof value !== 'string' || !ROUTE_TEMPLATE.test(value)) return false;
  let decoded = value;
  for (let pass = 0; pass < 5; pass++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return false;
    }
    if (next === decoded) return !decoded.includes('..') && !decoded.includes('://');
    decoded = next;
  }
  return false;
}

/**
 * The problems of a bazaar declaration: the extension's rules (input type `http` or `mcp`, a known
 * method and body type, an MCP tool name and input schema) and `info` checked against the
 * declaration's own `schema` (a JSON Schema subset: `type`, `const`, `enum`, `required`,
 * `properties`, `additionalProperties`, `items`, lengths, `pattern`, bounds; an external `$ref`
 * is refused). Empty when it is valid.
 *
 * @example checkDiscovery(declareDiscovery({ input: {} })) // []
 */
export function checkDiscovery(extension: unknown): string[] {
  if (typeof extension !== 'object' || extension === null) return ['the declaration is not an object'];
  const { info, schema } = extension as { info?: unknown; schema?: unknown };
  if (typeof info !== 'object' || info === null) return ['info is missing'];
  const input = (info as { input?: unknown }).input;
  if (typeof input !== 'object' || input === null) return ['info.input is missing'];
  const { type, method, bodyType, toolName, inputSchema, transport } = input as Record<string, unknown>;
  const errors: string[] = [];
  if (type === 'http') {
    const methods: readonly unknown[] = [...QUERY_METHODS, ...BODY_METHODS];
    if (method !== undefined && !methods.includes(method))
      errors.push(`info.input.method must be one of ${methods.join(', ')}`);
    if (bodyType !== undefined) {
      if (!(BODY_TYPES as readonly unknown[]).includes(bodyType))
        errors.push(`info.input.bodyType must be one of ${BODY_TYPES.join(', ')}`);
      if (method !== undefined && !(BODY_METHODS as readonly unknown[]).includes(method))
        errors.push('info.input.bodyType is set but the method takes no body');
    }
  } else if (type === 'mcp') {
    if (typeof toolName !== 'string' || toolName === '') errors.push('info.input.toolName is required');
    if (typeof inputSchema !== 'object' || inputSchema === null)
      errors.push('info.input.inputSchema must be an object');
    if (transport !== undefined && transport !== 'streamable-http' && transport !== 'sse')
      errors.push('info.input.transport must be streamable-http or sse');
  } else {
    errors.push(`info.input.type must be "http" or "mcp", got ${JSON.stringify(type)}`);
  }
  if (typeof schema !== 'object' || schema === null) return [...errors, 'schema is missing'];
  return [...errors, ...checkJsonSchema(schema as Record<string, unknown>, info)];
}

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

/**
 * The catalog entry of a settled payment whose payload echoes a valid bazaar declaration (x402 v2),
 * or why there is none. Only the `bazaar` declaration is kept of the payload's extensions (the
 * others may carry per-payment data).
 *
 * @example
 * const found = readDiscovery(payload, requirements, new Date())
 * if (found.ok) await catalog.record(found.resource)
 */
export function readDiscovery(
  payload: AnyPaymentPayload,
  requirements: AnyPaymentRequirements,
  at: Date,
): { ok: true; resource: DiscoveryResource } | { ok: false; reason: string } {
  if (payload.x402Version !== 2) return { ok: false, reason: 'x402 v1 payments carry no bazaar extension' };
  const declared = payload.extensions?.[BAZAAR];
  if (declared === undefined) return { ok: false, reason: 'the payment declares no bazaar extension' };
  const errors = checkDiscovery(declared);
  if (errors.length > 0) return { ok: false, reason: errors.join('; ') };
  const extension = declared as BazaarExtension;
  let url: URL;
  try {
    url = new URL(payload.resource?.url ?? '');
  } catch {
    return { ok: false, reason: 'the payment names no absolute resource URL' };
  }
  const template = isValidRouteTemplate(extension.routeTemplate) ? extension.routeTemplate : undefined;
  const { routeTemplate: _dropped, ...rest } = extension;
  return {
    ok: true,
    resource: {
      resource: `${url.origin}${template ?? url.pathname}`,
      type: extension.info.input.type === 'mcp' ? 'mcp' : 'http',
      x402Version: 2,
      accepts: [requirements],
      lastUpdated: at.toISOString(),
      ...(payload.resource?.description ? { description: payload.resource.description } : {}),
      ...(payload.resource?.mimeType ? { mimeType: payload.resource.mimeType } : {}),
      extensions: { [BAZAAR]: template ? { ...rest, routeTemplate: template } : rest },
    },
  };
}

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
