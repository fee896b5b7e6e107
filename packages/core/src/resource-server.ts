/**
 * The resource-server engine: builds offers per request, matches a client's payment against
 * them, and has a facilitator verify and settle it. Transport-free: `@x402kit/http` puts it
 * behind HTTP, and an MCP or A2A transport can use it the same way.
 */
import { canonicalJson } from './canonical-json.js';
import { deepEqual } from './deep-equal.js';
import { createExpiringMap } from './expiring-map.js';
import { type FacilitatorClient, isOutcomeUnknown } from './facilitator-client.js';
import type { Price } from './money.js';
import { canonicalNetwork, networkMatches, toCaip2 } from './networks/registry.js';
import { X402Error } from './protocol/errors.js';
import { Reasons } from './protocol/reasons.js';
import { settleRefusal, verifyRefusal } from './protocol/responses.js';
import type {
  AnyPaymentPayload,
  AnyPaymentRequirements,
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  ResourceInfo,
  SettleResponse,
  SupportedKind,
  SupportedResponse,
  VerifyResponse,
} from './protocol/schemas.js';
import { requirementsToV1 } from './protocol/v1.js';
import type { SchemeServer, SchemeServerSession, SchemeSessionContext, SessionVerdict } from './scheme.js';

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
  const hooks = options.hooks ?? {};
  const retryAfterMs = options.retrySupportedAfterMs ?? 5_000;
  const supportedWaitMs = options.supportedWaitMs ?? 2_000;
  const supported: Array<{
    value?: SupportedResponse;
    failedAt?: number;
    error?: string;
    pending?: Promise<void>;
  }> = facilitators.map(() => ({}));
  const pending = createPendingMemory(options.pendingSettlements);

  function refresh(i: number): Promise<void> {
    const slot = supported[i]!;
    if (slot.value) return Promise.resolve();
    if (slot.pending) return slot.pending;
    if (slot.failedAt !== undefined && Date.now() - slot.failedAt < retryAfterMs) return Promise.resolve();
    slot.pending = facilitators[i]!.supported()
      .then((value) => {
        slot.value = value;
        slot.failedAt = undefined;
      })
      .catch((error: unknown) => {
        slot.failedAt = Date.now();
        slot.error = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        slot.pending = undefined;
      });
    return slot.pending;
  }

  async function kindFor(
    x402Version: 1 | 2,
    scheme: string,
    network: string,
  ): Promise<{ facilitator: number; kind?: SupportedKind; extensions: string[] }> {
    if (supported.some((s) => !s.value)) {
      await withinMs(Promise.all(facilitators.map((_, i) => refresh(i))), supportedWaitMs);
    }
    for (let i = 0; i < facilitators.length; i++) {
      const value = supported[i]!.value;
      const kind = value?.kinds.find(
        (k) =>
          k.x402Version === x402Version &&
          k.scheme === scheme &&
          canonicalNetwork(toCaip2(k.network) ?? k.network) === canonicalNetwork(network),
      );
      if (kind && value) return { facilitator: i, kind, extensions: value.extensions };
    }
    return { facilitator: 0, extensions: supported[0]!.value?.extensions ?? [] };
  }

  function findScheme(scheme: string, network: string): SchemeServer | undefined {
    return options.schemes.find((s) => s.server.scheme === scheme && networkMatches(network, s.network))
      ?.server;
  }

  function schemeFor(scheme: string, network: string): SchemeServer {
    const found = findScheme(scheme, network);
    if (!found)
      throw new X402Error(Reasons.missingScheme, `no server scheme registered for "${scheme}" on ${network}`);
    return found;
  }

  /** The offers of each scheme that adds 402 extensions, schemes in the order they are first offered. */
  function dynamicSchemes(accepts: PaymentRequirements[]): Map<SchemeServer, PaymentRequirements[]> {
    const out = new Map<SchemeServer, PaymentRequirements[]>();
    for (const a of accepts) {
      const scheme = findScheme(a.scheme, a.network);
      if (!scheme?.paymentRequiredExtensions) continue;
      const offered = out.get(scheme);
      if (offered) offered.push(a);
      else out.set(scheme, [a]);
    }
    return out;
  }

  function networkOf(payload: AnyPaymentPayload): string {
    return payload.x402Version === 2
      ? payload.accepted.network
      : (toCaip2(payload.network) ?? payload.network);
  }

  function wireRequirements(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
    resource?: ResourceInfo,
  ): AnyPaymentRequirements {
    if (payload.x402Version === 2) return requirements;
    const v1 = requirementsToV1(requirements, resource ?? { url: '' });
    if (!v1)
      throw new X402Error(Reasons.invalidNetwork, `network ${requirements.network} has no x402 v1 name`);
    return v1;
  }

  async function checkPayment(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<VerifyResponse | undefined> {
    const scheme = findScheme(requirements.scheme, requirements.network);
    if (!scheme?.checkPayment || payload.x402Version !== 2) return undefined;
    try {
      const refusal = await scheme.checkPayment(payload, requirements);
      return refusal ? verifyRefusal(refusal.reason, refusal.message) : undefined;
    } catch (error) {
      return failure(error, Reasons.unexpectedVerifyError, (reason, message) =>
        verifyRefusal(reason, message),
      );
    }
  }

  /** The scheme session that handles this (v2) payment, when its scheme has one. */
  function sessionFor(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
  ): { scheme: SchemeServerSession; payload: PaymentPayload } | undefined {
    if (payload.x402Version !== 2) return undefined;
    const scheme = findScheme(requirements.scheme, requirements.network)?.session;
    return scheme ? { scheme, payload } : undefined;
  }

  /** The facilitator a scheme session calls: the chosen one, with this attempt (sessions are v2 only). */
  function sessionContext(facilitator: number, opts: PaymentCallOptions | undefined): SchemeSessionContext {
    const client = facilitators[facilitator]!;
    return {
      ...(opts?.attempt === undefined ? {} : { attempt: opts.attempt }),
      facilitator: {
        verify: (p, r) => client.verify(p, r, callOptions(opts)),
        settle: (p, r) => client.settle(p, r, callOptions(opts)),
      },
    };
  }

  return {
    async initialize() {
      await Promise.all(facilitators.map((_, i) => refresh(i)));
    },

    async facilitatorSupport() {
      await Promise.all(facilitators.map((_, i) => refresh(i)));
      return facilitators.map((client, i): FacilitatorSupport => {
        const slot = supported[i]!;
        const name = 'url' in client && typeof client.url === 'string' ? client.url : `facilitator #${i + 1}`;
        if (slot.value) return { name, supported: slot.value };
        return { name, error: slot.error ?? 'no answer yet' };
      });
    },

    async buildRequirements(paymentOptions, ctx) {
      const out: PaymentRequirements[] = [];
      for (const option of paymentOptions) {
        // the registered id on the wire: a route may say 'base-sepolia' or 'solana:devnet', clients
        // (the official ones too) match offers by the CAIP-2 id
        const network = canonicalNetwork(toCaip2(option.network) ?? option.network);
        const scheme = schemeFor(option.scheme, network);
        const price = typeof option.price === 'function' ? await option.price(ctx) : option.price;
        const payTo = typeof option.payTo === 'function' ? await option.payTo(ctx) : option.payTo;
        const parsed = await scheme.parsePrice(price, network);
        let requirements: PaymentRequirements = {
          scheme: option.scheme,
          network,
          amount: parsed.amount.toString(),
          asset: parsed.asset,
          payTo,
          maxTimeoutSeconds: option.maxTimeoutSeconds ?? 300,
          extra: { ...parsed.extra, ...option.extra },
        };
        if (scheme.enhanceRequirements) {
          const { kind, extensions } = await kindFor(2, option.scheme, network);
          requirements = scheme.enhanceRequirements(requirements, {
            ...(kind ? { supportedKind: kind } : {}),
            facilitatorExtensions: extensions,
          });
        }
        out.push(requirements);
      }
      return out;
    },

    createPaymentRequired(accepts, resource, opts) {
      let extensions = opts?.extensions;
      for (const [scheme, offered] of dynamicSchemes(accepts)) {
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
    },

    hasDynamicExtensions(accepts) {
      return dynamicSchemes(accepts).size > 0;
    },

    findMatchingRequirements(accepts, payload) {
      if (payload.x402Version === 2) {
        const accepted = payload.accepted;
        return accepts.find((a) => {
          const dynamic = findScheme(a.scheme, a.network)?.dynamicExtraFields;
          return dynamic
            ? deepEqual(withoutExtra(a, dynamic), withoutExtra(accepted, dynamic))
            : deepEqual(a, accepted);
        });
      }
      const network = networkOf(payload);
      return accepts.find((a) => a.scheme === payload.scheme && a.network === network);
    },

    checkPayment,

    hasSession: (scheme, network) => findScheme(scheme, network)?.session !== undefined,

    async verify(payload, requirements, opts) {
      const refused = await checkPayment(payload, requirements);
      if (refused) return refused;
      const call = { payload, requirements };
      const abort = await hooks.beforeVerify?.(call);
      if (abort) return verifyRefusal(abort.reason, abort.message);
      const { facilitator } = await kindFor(payload.x402Version, requirements.scheme, requirements.network);
      const session = sessionFor(payload, requirements);
      let result: SessionVerdict;
      try {
        result = session
          ? await session.scheme.verify(session.payload, requirements, sessionContext(facilitator, opts))
          : await facilitators[facilitator]!.verify(
              payload,
              wireRequirements(payload, requirements, opts?.resource),
              callOptions(opts),
            );
      } catch (error) {
        result = failure(error, Reasons.unexpectedVerifyError, (reason, message) =>
          verifyRefusal(reason, message),
        );
      }
      await hooks.afterVerify?.(call, result);
      return result;
    },

    async settle(payload, requirements, opts) {
      const effective = opts?.amount === undefined ? requirements : { ...requirements, amount: opts.amount };
      const call = { payload, requirements: effective };
      const network = networkOf(payload);
      const abort = await hooks.beforeSettle?.(call);
      if (abort) return settleRefusal(abort.reason, abort.message, network);
      const { facilitator } = await kindFor(payload.x402Version, requirements.scheme, requirements.network);
      const session = sessionFor(payload, requirements);
      let result: SettleResponse;
      try {
        result = session
          ? await session.scheme.settle(session.payload, requirements, {
              ...sessionContext(facilitator, opts),
              ...(opts?.amount === undefined ? {} : { amount: opts.amount }),
            })
          : await facilitators[facilitator]!.settle(
              payload,
              wireRequirements(payload, effective, opts?.resource),
              callOptions(opts),
            );
      } catch (error) {
        result = isOutcomeUnknown(error)
          ? // the facilitator may have sent the transaction: never report that as a failure
            settleRefusal(
              Reasons.settlementPending,
              `the settlement's outcome is unknown (${error instanceof Error ? error.message : String(error)}); present the same payment again`,
              network,
            )
          : failure(error, Reasons.unexpectedSettleError, (reason, message) =>
              settleRefusal(reason, message, network),
            );
      }
      if (!result.success && result.errorReason === Reasons.settlementPending) {
        pending.remember(payload, requirements, {
          attempt: opts?.attempt,
          ...(result.payer ? { payer: result.payer } : {}),
        });
      } else {
        pending.forget(payload, requirements);
      }
      await hooks.afterSettle?.(call, result);
      return result;
    },

    async release(payload, requirements, opts) {
      if (opts?.attempt === undefined) return;
      const { facilitator } = await kindFor(payload.x402Version, requirements.scheme, requirements.network);
      const session = sessionFor(payload, requirements);
      if (session) {
        await session.scheme
          .release(session.payload, requirements, sessionContext(facilitator, opts))
          .catch(() => {});
        return;
      }
      const client = facilitators[facilitator]!;
      try {
        await client.release?.(
          payload,
          wireRequirements(payload, requirements, opts.resource),
          callOptions(opts),
        );
      } catch {
        // best effort: an unreleased reservation lapses when the payment's time window ends
      }
    },

    takePending(payload, requirements) {
      return pending.take(payload, requirements);
    },

    isSettlementPending(payload, requirements) {
      return pending.get(payload, requirements) !== undefined;
    },
  };
}

type PendingMemory = {
  get(payload: AnyPaymentPayload, requirements: PaymentRequirements): PendingPayment | undefined;
  take(payload: AnyPaymentPayload, requirements: PaymentRequirements): PendingPayment | undefined;
  remember(payload: AnyPaymentPayload, requirements: PaymentRequirements, entry: PendingPayment): void;
  forget(payload: AnyPaymentPayload, requirements: PaymentRequirements): void;
};

/** Bounded, expiring memory of payments whose settlement is pending, keyed by their canonical JSON. */
function createPendingMemory(options: { ttlMs?: number; maxEntries?: number } = {}): PendingMemory {
  const entries = createExpiringMap<string, PendingPayment>({
    ttlMs: options.ttlMs ?? 600_000,
    maxEntries: options.maxEntries ?? 10_000,
  });
  const keyOf = (payload: AnyPaymentPayload, requirements: PaymentRequirements) =>
    canonicalJson({ payload, requirements });
  return {
    get: (payload, requirements) =>
      entries.size === 0 ? undefined : entries.get(keyOf(payload, requirements)),
    take: (payload, requirements) =>
      entries.size === 0 ? undefined : entries.take(keyOf(payload, requirements)),
    remember: (payload, requirements, entry) => entries.set(keyOf(payload, requirements), entry),
    forget(payload, requirements) {
      if (entries.size > 0) entries.delete(keyOf(payload, requirements));
    },
  };
}

/** The requirement without the named `extra` fields (and without an `extra` left empty). */
function withoutExtra(requirements: PaymentRequirements, fields: readonly string[]): PaymentRequirements {
  if (!requirements.extra) return requirements;
  const extra = { ...requirements.extra };
  for (const field of fields) delete extra[field];
  const { extra: _, ...rest } = requirements;
  return Object.keys(extra).length === 0 ? rest : { ...rest, extra };
}

function callOptions(opts: PaymentCallOptions | undefined): { attempt?: string } {
  return opts?.attempt === undefined ? {} : { attempt: opts.attempt };
}

/** Resolve when `p` settles or after `ms`, whichever is first (the work itself goes on). */
function withinMs(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([p.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

function failure<T>(error: unknown, fallback: string, make: (reason: string, message: string) => T): T {
  if (error instanceof X402Error) return make(error.reason, error.message);
  return make(fallback, error instanceof Error ? error.message : String(error));
}
