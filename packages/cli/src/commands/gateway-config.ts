/**
 * The `x402kit gateway` config file: YAML (or JSON) parsed with `yaml`, checked with zod, every
 * problem reported with its line and column, then turned into the `GatewayConfig` of
 * `@x402kit/http/gateway`. Route prices are written as the middleware's route config writes them;
 * top-level `scheme`, `network` and `payTo` fill what a route leaves out.
 */
import { readFile } from 'node:fs/promises';
import type { RouteConfig } from '@x402kit/http';
import type { GatewayConfig } from '@x402kit/http/gateway';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../command.js';

const Extra = z.record(z.string(), z.unknown());
const Price = z.union([
  z.string().min(1),
  z.number().positive(),
  z.strictObject({
    amount: z
      .union([
        z.string().regex(/^\d+$/, 'must be an integer amount in atomic units'),
        z.number().int().nonnegative(),
      ])
      .transform(String),
    asset: z.string().min(1),
    extra: Extra.optional(),
  }),
]);
const Option = z.strictObject({
  scheme: z.string().min(1).optional(),
  network: z.string().min(1).optional(),
  payTo: z.string().min(1).optional(),
  price: Price,
  maxTimeoutSeconds: z.number().int().positive().optional(),
  extra: Extra.optional(),
});
const Route = z.strictObject({
  ...Option.shape,
  price: Price.optional(),
  accepts: z.array(Option).min(1).optional(),
  description: z.string().optional(),
  mimeType: z.string().optional(),
  resource: z.string().optional(),
  settle: z.enum(['after-response', 'before-handler']).optional(),
});
const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** The file's shape. */
export const GatewayFileSchema = z.strictObject({
  upstream: HttpUrl,
  facilitator: z.union([
    HttpUrl.transform((url) => ({ url })),
    z.strictObject({
      url: HttpUrl,
      apiKey: z.string().min(1).optional(),
      bearerToken: z.string().min(1).optional(),
    }),
  ]),
  scheme: z.string().min(1).default('exact'),
  network: z.string().min(1).optional(),
  payTo: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  unlistedRoutes: z.enum(['proxy', 'refuse']).optional(),
  upstreamTimeoutMs: z.number().int().positive().optional(),
  holdBodyBytes: z.number().int().positive().optional(),
  routes: z.record(z.string(), Route),
});

/** A parsed config file: the gateway's config and where to listen. */
export type GatewayFile = { config: GatewayConfig; port: number | undefined; host: string | undefined };

/**
 * Read and check a gateway config file; a {@link UsageError} names the file, line and column of
 * every problem.
 *
 * @example
 * const { config, port } = await loadGatewayFile('gateway.yaml')
 */
export async function loadGatewayFile(path: string): Promise<GatewayFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseGatewayFile(text, path);
}

/**
 * Parse and check the text of a gateway config file (`name` is used in messages).
 *
 * @example
 * parseGatewayFile('upstream: http://127.0.0.1:3000\nfacilitator: http://127.0.0.1:4022\nroutes: {}', 'gateway.yaml')
 */
export function parseGatewayFile(text: string, name: string): GatewayFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return name;
    const { line, col } = lines.linePos(offset);
    return `${name}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new UsageError(doc.errors.map((e) => `${at(e.pos[0])}: ${firstLine(e.message)}`).join('\n'));
  }
  if (!isMap(doc.contents))
    throw new UsageError(`${name}: expected a mapping (upstream, facilitator, routes)`);
  const parsed = GatewayFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues
        .map((issue) => {
          const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
          // an unknown key is shown where the key is written, not where its map starts
          const offset =
            issue.code === 'unrecognized_keys'
              ? (keyOffset(doc, path, issue.keys[0]) ?? offsetOf(doc, path))
              : offsetOf(doc, path);
          return `${at(offset)}: ${path.join('.') || '(top)'}: ${issue.message}`;
        })
        .join('\n'),
    );
  }
  const file = parsed.data;
  const routes: Record<string, RouteConfig> = {};
  for (const [key, route] of Object.entries(file.routes)) {
    const where = at(keyOffset(doc, ['routes'], key) ?? offsetOf(doc, ['routes', key]));
    routes[key] = toRouteConfig(key, route, file, where);
  }
  return {
    config: {
      upstream: file.upstream,
      facilitator: file.facilitator,
      routes,
      ...(file.unlistedRoutes === undefined ? {} : { unlistedRoutes: file.unlistedRoutes }),
      ...(file.upstreamTimeoutMs === undefined ? {} : { upstreamTimeoutMs: file.upstreamTimeoutMs }),
      ...(file.holdBodyBytes === undefined ? {} : { holdBodyBytes: file.holdBodyBytes }),
    },
    port: file.port,
    host: file.host,
  };
}

type FileShape = z.infer<typeof GatewayFileSchema>;
type RouteShape = z.infer<typeof Route>;
type OptionShape = z.infer<typeof Option>;

function toRouteConfig(key: string, route: RouteShape, file: FileShape, where: string): RouteConfig {
  const { accepts, description, mimeType, resource, settle, ...single } = route;
  if (accepts !== undefined && single.price !== undefined) {
    throw new UsageError(`${where}: routes.${key}: give either price or accepts, not both`);
  }
  const given: OptionShape[] =
    accepts ?? (single.price === undefined ? [] : [{ ...single, price: single.price }]);
  if (given.length === 0) throw new UsageError(`${where}: routes.${key}: a price (or accepts) is required`);
  const options = given.map((option, i) => {
    const scheme = option.scheme ?? file.scheme;
    const network = option.network ?? file.network;
    const payTo = option.payTo ?? file.payTo;
    const field = accepts === undefined ? `routes.${key}` : `routes.${key}.accepts.${i}`;
    if (network === undefined)
      throw new UsageError(`${where}: ${field}: no network (set it here or at the top)`);
    if (payTo === undefined) throw new UsageError(`${where}: ${field}: no payTo (set it here or at the top)`);
    return {
      scheme,
      network,
      payTo,
      price: option.price,
      ...(option.maxTimeoutSeconds === undefined ? {} : { maxTimeoutSeconds: option.maxTimeoutSeconds }),
      ...(option.extra === undefined ? {} : { extra: option.extra }),
    };
  });
  return {
    accepts: options,
    ...(description === undefined ? {} : { description }),
    ...(mimeType === undefined ? {} : { mimeType }),
    ...(resource === undefined ? {} : { resource }),
    ...(settle === undefined ? {} : { settle }),
  };
}

/** Where the value at `path` starts in the file (the nearest existing parent when it is missing). */
function offsetOf(
  doc: ReturnType<typeof parseDocument>,
  path: ReadonlyArray<string | number>,
): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) {
      if (n === path.length || !isScalar(node)) return node.range[0] as number;
    }
  }
  return undefined;
}

/** Where the key `key` of the map at `path` is written. */
function keyOffset(
  doc: ReturnType<typeof parseDocument>,
  path: ReadonlyArray<string | number>,
  key: string | undefined,
): number | undefined {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (key === undefined || !isMap(map)) return undefined;
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) return pair.key.range?.[0];
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
