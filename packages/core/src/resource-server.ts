/**
 * The resource-server engine: builds offers per request, matches a client's payment against
 * them, and has a facilitator verify and settle it. Transport-free: `@x402kit/http` puts it
 * behind HTTP, and an MCP or A2A transport can use it the same way.
 */
import { deepEqual } from './deep-equal.js';
import type { FacilitatorClient } from './facilitator-client.js';
import type { Price } from './money.js';
import { canonicalNetwork, toCaip2 } from './networks/registry.js';
import { createPendingMemory } from './pending-settlements.js';
import { X402Error } from './protocol/errors.js';
import { Reasons } from './protocol/reasons.js';
import type {
  AnyPaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  ResourceInfo,
  SettleResponse,
  SupportedResponse,
  VerifyResponse,
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
import type { SchemeServer, SessionVerdict } from './scheme.js';
import { createSupportedCache } from './supported-cache.js';

/** One way a route can be paid. Functions are evaluated per request with the transport's context. */
export type PaymentOption<Ctx = unknown> = {
  scheme: string;
  network: string;
  payTo: string | ((ctx: Ctx) => string | Promise<string>);
  price: Price | ((ctx: Ctx) => Price | Promise<Price>);
  /** Default 300. */
  maxTimeoutSeconds?: number;
  /** Merged over the scheme's own `extra`. */
  extra?: Record<string, unknown>;
};

/** One scheme server the resource server uses on a network or pattern. */
export type ServerSchemeRegistration = { network: string; server: SchemeServer };

/** A payment payload with the offer it pays, as the resource server's hooks see it. */
export type PaymentCall = { payload: AnyPaymentPayload; requirements: PaymentRequirements };
type Abort = { abort: true; reason: string; message?: string };

/** Hooks around the resource server's verify and settle calls (`before*` may refuse). */
export type ResourceServerHooks = {
  beforeVerify?: (call: PaymentCall) => Promise<Abort | undefined> | Abort | undefined;
  afterVerify?: (call: PaymentCall, result: VerifyResponse) => Promise<void> | void;
  beforeSettle?: (call: PaymentCall) => Promise<Abort | undefined> | Abort | undefined;
  afterSettle?: (call: PaymentCall, result: SettleResponse) => Promise<void> | void;
};

/** Options of `createResourceServer`. */
export type ResourceServerOptions = {
  /** One or more facilitators; the first that supports a kind serves it. */
  facilitators: FacilitatorClient | FacilitatorClient[];
  schemes: ServerSchemeRegistration[];
  hooks?: ResourceServerHooks;
  /** How long a failed `/supported` lookup is remembered before trying again; default 5 s. */
  retrySupportedAfterMs?: number;
  /**
   * How long a request may wait for a `/supported` lookup before its offers are built without
   * the facilitator's data; default 2 s. A slow facilitator must not stall every 402.
   */
  supportedWaitMs?: number;
  /**
   * Payments whose settlement is pending (the facilitator answered `settlement_pending`, or the
   * settle call failed in a way that leaves its outcome unknown) are remembered with their grant
   * attempt, so the client's retry of the SAME payload continues that attempt
   * ({@link ResourceServer.takePending}) instead of being refused as a replay. Default: 10 minutes,
   * 10 000 payments.
   */
  pendingSettlements?: { ttlMs?: number; maxEntries?: number };
};

/**
 * Per-call options: the grant `attempt` (one request's verify, settle and release carry the same
 * id, see `createAttemptId`) and the resource, needed for v1 requirements.
 */
export type PaymentCallOptions = { resource?: ResourceInfo; attempt?: string };

/** A pending payment taken over by its retry: the attempt to continue, and the payer when known. */
export type PendingPayment = { attempt: string | undefined; payer?: string };

/** One facilitator's `/supported`, as {@link ResourceServer.facilitatorSupport} reports it. */
export type FacilitatorSupport = {
  /** Its URL, or `facilitator #<n>` for one without (an in-process engine). */
  name: string;
  /** Its answer; absent while it cannot be reached. */
  supported?: SupportedResponse;
  /** Why there is no answer. */
  error?: string;
};

/** What `createResourceServer` returns. */
export type ResourceServer = {
  /** Fetch `/supported` from every facilitator. Never throws: a facilitator that is down is retried later. */
  initialize(): Promise<void>;
  /**
   * Each facilitator's `/supported` answer (asked now when not known yet), or why it has none: what
   * a startup check compares the routes against. Never throws.
   */
  facilitatorSupport(): Promise<FacilitatorSupport[]>;
  /** Offers for this request, in the order of `options`. */
  buildRequirements<Ctx>(options: PaymentOption<Ctx>[], ctx: Ctx): Promise<PaymentRequirements[]>;
  /** A 402 document; schemes with `paymentRequiredExtensions` add theirs on every call. */
  createPaymentRequired(
    accepts: PaymentRequirements[],
    resource: ResourceInfo,
    options?: { error?: string; extensions?: Record<string, unknown> },
  ): PaymentRequired;
  /** True when a 402 for these offers carries per-call data, so it must not be cached. */
  hasDynamicExtensions(accepts: PaymentRequirements[]): boolean;
  /** The offer the payment was made against: deep equality of `accepted` (v2), or scheme+network (v1). */
  findMatchingRequirements(
    accepts: PaymentRequirements[],
    payload: AnyPaymentPayload,
  ): PaymentRequirements | undefined;
  /**
   * Have a facilitator verify the payment. With an `attempt`, an x402kit facilitator also reserves
   * the payment for it: any other request presenting the same payment is refused
   * (`duplicate_settlement`) until this attempt settles or releases it.
   */
  verify(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
    options?: PaymentCallOptions,
  ): Promise<SessionVerdict>;
  /**
   * Have a facilitator settle the payment. `settlement_pending` comes back when the transaction is
   * sent but not confirmed, and also when the call failed in a way that leaves its outcome unknown
   * (timeout, reset, 5xx): either way the payment is remembered for its retry.
   */
  settle(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
    options?: PaymentCallOptions & { amount?: string },
  ): Promise<SettleResponse>;
  /**
   * The checks only this server can make before a facilitator sees the payment (the scheme's
   * `checkPayment`, e.g. an `exact_permit` context it issued): the refusal, or `undefined`. `verify`
   * runs them itself; a flow that settles without verifying first calls this.
   */
  checkPayment(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<VerifyResponse | undefined>;
  /** Give up the attempt's reservation (the handler failed; nothing will be settled). Never throws. */
  release(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
    options?: PaymentCallOptions,
  ): Promise<void>;
  /**
   * The pending settlement of this exact payload, removed from memory so that exactly one retry
   * continues it (a concurrent copy finds nothing and is verified like any replay); put back by
   * `settle` if it is still pending.
   */
  takePending(payload: AnyPaymentPayload, requirements: PaymentRequirements): PendingPayment | undefined;
  /** True while this payment's settlement was last answered `settlement_pending`. */
  isSettlementPending(payload: AnyPaymentPayload, requirements: PaymentRequirements): boolean;
  /**
   * Whether the scheme registered for `scheme` on `network` keeps state per payer (a `session`, as
   * `batch-settlement`'s channels): its payments are verified and settled through that session.
   */
  hasSession(scheme: string, network: string): boolean;
};

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
