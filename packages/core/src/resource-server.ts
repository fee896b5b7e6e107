/**
 * The resource-server engine: builds offers per request, matches a client's payment against
 * them, and has a facilitator verify and settle it. Transport-free: `@x402kit/http` puts it
 * behind HTTP, and an MCP or A2A transport can use it the same way.
 */
import { deepEqual } from './deep-equal.js';
import { canonicalNetwork, toCaip2 } from './networks/registry.js';
import { createPendingMemory } from './pending-settlements.js';
import { X402Error } from './protocol/errors.js';
import { Reasons } from './protocol/reasons.js';
import type {
  AnyPaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  ResourceInfo,
} from './protocol/schemas.js';
import {
  checkPayment,
  type Engine,
  findScheme,
  networkOf,
  release,
  settle,
  verify,
} from './resource-server-calls.js';
import type {
  PaymentOption,
  ResourceServer,
  ResourceServerOptions,
  ServerSchemeRegistration,
} from './resource-server-types.js';
import type { SchemeServer } from './scheme.js';
import { createSupportedCache } from './supported-cache.js';

export type * from './resource-server-types.js';

/**
 * Create a resource-server engine.
 *
 * @example
 * const server = createResourceServer({
 *   facilitators: createHttpFacilitatorClient({ url: 'http://127.0.0.1:4022' }),
 *   schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
 * })
 * const accepts = await server.buildRequirements([{ scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' }], ctx)
 */
export function createResourceServer(options: ResourceServerOptions): ResourceServer {
  const facilitators = Array.isArray(options.facilitators) ? options.facilitators : [options.facilitators];
  if (facilitators.length === 0)
    throw new X402Error(Reasons.missingFacilitator, 'a resource server needs at least one facilitator');
  const engine: Engine = {
    facilitators,
    schemes: options.schemes,
    hooks: options.hooks ?? {},
    supported: createSupportedCache(facilitators, {
      retryAfterMs: options.retrySupportedAfterMs ?? 5_000,
      waitMs: options.supportedWaitMs ?? 2_000,
    }),
    pending: createPendingMemory(options.pendingSettlements),
  };
  const { schemes, pending } = engine;
  return {
    initialize: () => engine.supported.refreshAll(),
    facilitatorSupport: () => engine.supported.report(),
    buildRequirements: (paymentOptions, ctx) => buildRequirements(engine, paymentOptions, ctx),
    createPaymentRequired: (accepts, resource, opts) =>
      createPaymentRequired(schemes, accepts, resource, opts),
    hasDynamicExtensions: (accepts) => dynamicSchemes(schemes, accepts).size > 0,
    findMatchingRequirements: (accepts, payload) => findMatchingRequirements(schemes, accepts, payload),
    checkPayment: (payload, requirements) => checkPayment(schemes, payload, requirements),
    hasSession: (scheme, network) => findScheme(schemes, scheme, network)?.session !== undefined,
    verify: (payload, requirements, opts) => verify(engine, payload, requirements, opts),
    settle: (payload, requirements, opts) => settle(engine, payload, requirements, opts),
    release: (payload, requirements, opts) => release(engine, payload, requirements, opts),
    takePending: (payload, requirements) => pending.take(payload, requirements),
    isSettlementPending: (payload, requirements) => pending.get(payload, requirements) !== undefined,
  };
}

function schemeFor(schemes: ServerSchemeRegistration[], scheme: string, network: string): SchemeServer {
  const found = findScheme(schemes, scheme, network);
  if (!found)
    throw new X402Error(Reasons.missingScheme, `no server scheme registered for "${scheme}" on ${network}`);
  return found;
}

async function buildRequirements<Ctx>(
  engine: Engine,
  paymentOptions: PaymentOption<Ctx>[],
  ctx: Ctx,
): Promise<PaymentRequirements[]> {
  const out: PaymentRequirements[] = [];
  for (const option of paymentOptions) out.push(await buildOffer(engine, option, ctx));
  return out;
}

/** One option's offer for this request: its price and payee resolved, enhanced by its scheme. */
async function buildOffer<Ctx>(
  engine: Engine,
  option: PaymentOption<Ctx>,
  ctx: Ctx,
): Promise<PaymentRequirements> {
  // the registered id on the wire: a route may say 'base-sepolia' or 'solana:devnet', clients
  // (the official ones too) match offers by the CAIP-2 id
  const network = canonicalNetwork(toCaip2(option.network) ?? option.network);
  const scheme = schemeFor(engine.schemes, option.scheme, network);
  const price = typeof option.price === 'function' ? await option.price(ctx) : option.price;
  const payTo = typeof option.payTo === 'function' ? await option.payTo(ctx) : option.payTo;
  const parsed = await scheme.parsePrice(price, network);
  const requirements: PaymentRequirements = {
    scheme: option.scheme,
    network,
    amount: parsed.amount.toString(),
    asset: parsed.asset,
    payTo,
    maxTimeoutSeconds: option.maxTimeoutSeconds ?? 300,
    extra: { ...parsed.extra, ...option.extra },
  };
  if (!scheme.enhanceRequirements) return requirements;
  const { kind, extensions } = await engine.supported.kindFor(2, option.scheme, network);
  return scheme.enhanceRequirements(requirements, {
    ...(kind ? { supportedKind: kind } : {}),
    facilitatorExtensions: extensions,
  });
}

function createPaymentRequired(
  schemes: ServerSchemeRegistration[],
  accepts: PaymentRequirements[],
  resource: ResourceInfo,
  opts: { error?: string; extensions?: Record<string, unknown> } | undefined,
): PaymentRequired {
  let extensions = opts?.extensions;
  for (const [scheme, offered] of dynamicSchemes(schemes, accepts)) {
    const added = scheme.paymentRequiredExtensions?.(offered, { resource });
    if (added) extensions = { ...extensions, ...added };
  }
  return {
    x402Version: 2,
    ...(opts?.error ? { error: opts.error } : {}),
    resource,
    accepts,
    ...(extensions && Object.keys(extensions).length > 0 ? { extensions } : {}),
  };
}

/** The offers of each scheme that adds 402 extensions, schemes in the order they are first offered. */
function dynamicSchemes(
  schemes: ServerSchemeRegistration[],
  accepts: PaymentRequirements[],
): Map<SchemeServer, PaymentRequirements[]> {
  const out = new Map<SchemeServer, PaymentRequirements[]>();
  for (const a of accepts) {
    const scheme = findScheme(schemes, a.scheme, a.network);
    if (!scheme?.paymentRequiredExtensions) continue;
    const offered = out.get(scheme);
    if (offered) offered.push(a);
    else out.set(scheme, [a]);
  }
  return out;
}

function findMatchingRequirements(
  schemes: ServerSchemeRegistration[],
  accepts: PaymentRequirements[],
  payload: AnyPaymentPayload,
): PaymentRequirements | undefined {
  if (payload.x402Version === 2) {
    const accepted = payload.accepted;
    return accepts.find((a) => {
      const dynamic = findScheme(schemes, a.scheme, a.network)?.dynamicExtraFields;
      return dynamic
        ? deepEqual(withoutExtra(a, dynamic), withoutExtra(accepted, dynamic))
        : deepEqual(a, accepted);
    });
  }
  const network = networkOf(payload);
  return accepts.find((a) => a.scheme === payload.scheme && a.network === network);
}

/** The requirement without the named `extra` fields (and without an `extra` left empty). */
function withoutExtra(requirements: PaymentRequirements, fields: readonly string[]): PaymentRequirements {
  if (!requirements.extra) return requirements;
  const extra = { ...requirements.extra };
  for (const field of fields) delete extra[field];
  const { extra: _, ...rest } = requirements;
  return Object.keys(extra).length === 0 ? rest : { ...rest, extra };
}
