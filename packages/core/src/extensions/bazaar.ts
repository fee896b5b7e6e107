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
import type { AnyPaymentPayload, AnyPaymentRequirements } from '../protocol/schemas.js';
import { checkJsonSchema } from './bazaar-json-schema.js';
import type { DiscoveryResource } from './discovery-resources.js';

export * from './bazaar-reasons.js';
export * from './discovery-resources.js';

/** The extension key in `extensions`. */
export const BAZAAR = 'bazaar';

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
