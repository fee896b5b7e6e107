/**
 * The HTTP payment core: Web-standard only (no Express, Hono or Node imports). It decides, for
 * one request, whether to let it through, answer 402/412/400, or run the handler with its
 * output held back until the payment settles. Framework adapters only translate; the flow
 * lives here once.
 */
import {
  createEmitter,
  type Emit,
  type Log,
  MAX_PAYMENT_HEADER_LENGTH,
  type PaymentRequirements,
  type ResourceServer,
  X402Error,
} from '@x402kit/core';
import { toWebResponse } from './buffered-response.js';
import { grantOnce } from './grant-once.js';
import {
  createPaymentFlow,
  describe,
  internalError,
  type PaymentFlow,
  type PaymentResult,
  type RunHandler,
} from './payment-flow.js';
import { createPaymentReplies } from './payment-replies.js';
import { type PaywallOptions, wantsPaywall } from './paywall/paywall-page.js';
import { readPayment } from './read-payment.js';
import {
  createContext,
  type PaymentRequestInput,
  warmupContext,
  webRequestInput,
} from './request-context.js';
import { createRouteOffers, type RouteOffers } from './route-offers.js';
import {
  compileRoutes,
  INVALID_ROUTE_CONFIG,
  matchRoute,
  type RouteLookup,
  type RoutesConfig,
  type RouteTable,
} from './route-table.js';
import { createSiwxGate, type SignInWithXOptions } from './sign-in-with-x.js';
import { createSupportedCheck, type SupportedCheck } from './supported-check.js';

export type { PaymentResult, RunHandler } from './payment-flow.js';
export type { PaymentRequestInput } from './request-context.js';
export { webRequestInput } from './request-context.js';

/** Options of {@link createPaymentHandler}. */
export type PaymentHandlerOptions = {
  routes: RoutesConfig;
  /** The resource-server engine from `@x402kit/core` (schemes and facilitators registered). */
  server: ResourceServer;
  /**
   * Speak x402 v1 too (default true): accept `X-PAYMENT` v1 payments (matched by scheme and
   * network, answered with `X-PAYMENT-RESPONSE` as well as `PAYMENT-RESPONSE`) and answer a
   * refused v1 payment with the v1 document `{x402Version: 1, error, accepts}` in the body. Every
   * other 402 that carries `PAYMENT-REQUIRED` has the same v2 `PaymentRequired` in its body, for
   * clients that read bodies. False: v1 payments are refused and bodies are `{}`, as the
   * reference's v2 servers.
   */
  v1?: boolean;
  /**
   * Put the v1 document in the body of unpaid 402s instead of the v2 one (default false), for
   * v1-only clients: they read only the body and cannot announce themselves before paying.
   * Needs `v1`; offers without a v1 network name keep the v2 body.
   */
  v1UnpaidBody?: boolean;
  /**
   * How long requirements of a route with a fixed price and payTo are reused, in ms; default
   * 5000 (the core retries an unreachable facilitator after 5 s, so facilitator-provided
   * `extra` shows up within one period). 0 rebuilds them on every request.
   */
  requirementsTtlMs?: number;
  /** Cap on an encoded payment header; default 16 KiB. */
  maxPaymentHeaderLength?: number;
  /** Decimals of a requirement's asset, for `"$0.05"` settlement overrides; default: the core network registry. */
  assetDecimals?: (requirements: PaymentRequirements) => number | undefined;
  /**
   * Call `server.initialize()` and build the fixed-price routes' requirements in the
   * background at creation (default true). Failures are logged, never thrown; the core retries
   * an unreachable facilitator lazily.
   */
  initialize?: boolean;
  /**
   * Do not check the routes against the facilitators' `/supported` (default false). By default a
   * route offering a scheme on a network no facilitator supports makes `ready()` throw
   * (`missing_facilitator`, naming the route, scheme, network and facilitator), is logged as an
   * error at creation, and answers 503 instead of a 402, so no client signs a payment that
   * cannot be verified.
   */
  skipSupportedCheck?: boolean;
  /**
   * `Retry-After` (seconds) of the 202 sent when the facilitator answers `settlement_pending`
   * (the transaction is sent, its receipt not seen yet); default 2.
   */
  pendingRetryAfterSeconds?: number;
  /**
   * What the server keeps in memory per payment: the held output of a payment whose settlement is
   * pending (its retry gets it, the handler does not run again), and the paid response of each
   * `payment-identifier` id (a retry with the same id and payment gets it again). Default 10
   * minutes and 1000 entries each.
   */
  grantMemory?: { ttlMs?: number; maxEntries?: number };
  /**
   * Sign-in-with-x for routes that set `signInWithX`: their 402s carry a fresh challenge, their
   * payers are remembered (`store`, in memory by default), and a request with a valid
   * `SIGN-IN-WITH-X` proof from a payer of the route runs the handler without a payment (a
   * replayed, expired, foreign-domain or unpaid proof gets the 402, its `error` saying why).
   */
  signInWithX?: SignInWithXOptions;
  /**
   * The browser paywall: an unpaid request whose `Accept` names `text/html` gets a 402 page that
   * shows the price and pays with the browser's wallet (EIP-1193, EVM `exact` with EIP-3009), then
   * shows the content. On by default; `{ disabled: true }` answers browsers with the JSON 402.
   */
  paywall?: PaywallOptions;
  log?: Log;
};

/** The payment middleware core. */
export type PaymentHandler = {
  readonly table: RouteTable;
  readonly server: ResourceServer;
  /** Route lookup only (cheap): adapters call it to skip unprotected requests without allocating. */
  match(method: string, target: string): RouteLookup;
  /** The whole flow for one request; `run` is called only after a payment verified. */
  processRequest(input: PaymentRequestInput, run: RunHandler, lookup?: RouteLookup): Promise<PaymentResult>;
  /** Web-standard middleware: `(request, next) => response`. */
  handle(request: Request, next: (request: Request) => Promise<Response>): Promise<Response>;
  /**
   * Fail fast at startup: ask the facilitators' `/supported` and build the fixed-price routes'
   * offers. Throws an `X402Error`: `missing_facilitator` naming each route whose scheme and
   * network no facilitator supports, `facilitator_unavailable` when a facilitator cannot be
   * reached (unless `skipSupportedCheck`), or the route's own error (a scheme not registered).
   */
  ready(): Promise<void>;
};

const UNPROTECTED: PaymentResult = { type: 'unprotected' };
type OffersSource = ReturnType<typeof createRouteOffers>;

/**
 * Create the payment core. Route keys are `"VERB /path"` or `"/path"` (see `compileRoutes`);
 * the table is compiled here, once.
 *
 * Flow for a protected route: build the offers (cached for fixed prices) -> no payment header:
 * 402 with `PAYMENT-REQUIRED` -> decode `PAYMENT-SIGNATURE`, else `X-PAYMENT` (undecodable or
 * oversized: 402 naming the problem) -> match the offer (none: 402) -> verify (invalid or
 * facilitator unreachable: 402 with the reason; 412 for `permit2_allowance_required`) -> run the
 * handler with its response buffered -> status >= 400: return it, no settlement -> settle
 * (honouring `Settlement-Overrides`, which is stripped) -> success: the handler's response plus
 * `PAYMENT-RESPONSE`; failure: 402 with `PAYMENT-RESPONSE` and the handler's output withheld;
 * `settlement_pending` (transaction sent, receipt not seen): 202 with `PAYMENT-RESPONSE` (the hash)
 * and `Retry-After`, never a fresh 402, and the same payment presented again skips verification
 * and settles. Routes declaring `payment-identifier` refuse a missing (when required) or invalid
 * id with 400, and a facilitator conflict on the id with 409.
 * Every 402 and paid response carries `Cache-Control: no-store` and exposes the x402 headers to
 * browsers. The facilitator being down never yields a 500.
 *
 * Paths are normalized fail-closed (see `normalizePath`): an unreadable path gets a 400
 * (`invalid_path`) instead of skipping payment.
 *
 * @example
 * const payments = createPaymentHandler({
 *   server,
 *   routes: { 'GET /weather': { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' } } },
 * });
 * export default { fetch: (req: Request) => payments.handle(req, app.fetch) };
 */
export function createPaymentHandler(options: PaymentHandlerOptions): PaymentHandler {
  const { server } = options;
  const table = compileRoutes(options.routes);
  refuseSessionsBeforeHandler(table, server);
  const emit = createEmitter(options.log);
  const siwx = createSiwx(options, table, emit);
  const steps = createSteps(options, table, emit);
  const { flow, routeOffers, check } = steps;

  function match(method: string, target: string): RouteLookup {
    return matchRoute(table, method, target);
  }

  function processRequest(
    input: PaymentRequestInput,
    run: RunHandler,
    lookup?: RouteLookup,
  ): Promise<PaymentResult> {
    const found = lookup ?? match(input.method, input.target);
    if (!siwx || found.type !== 'protected') return processPayment(steps, found, input, run);
    return siwx.process(found, input, () => processPayment(steps, found, input, run));
  }

  async function handle(request: Request, next: (request: Request) => Promise<Response>): Promise<Response> {
    const lookup = match(request.method, request.url);
    if (lookup.type === 'unprotected') return next(request);
    const result = await processRequest(webRequestInput(request), () => next(request), lookup);
    if (result.type === 'unprotected') return next(request);
    return toWebResponse(result.type === 'reply' ? result.reply : result.response);
  }

  async function ready(): Promise<void> {
    await server.initialize();
    await check.assertAll();
    for (const route of table.routes)
      if (route.isStatic) await routeOffers.offersFor(route, warmupContext(route));
  }

  if (options.initialize ?? true) void warmUp(flow, table, routeOffers, check);
  return { table, server, match, processRequest, handle, ready };
}

/** What a request goes through: the payment flow, the routes' offers, the `/supported` check. */
type PaymentSteps = { flow: PaymentFlow; routeOffers: OffersSource; check: SupportedCheck };

/** The sign-in-with-x gate; routes that set `signInWithX` without it are warned about. */
function createSiwx(options: PaymentHandlerOptions, table: RouteTable, emit: Emit) {
  const siwx = options.signInWithX ? createSiwxGate(options.signInWithX, emit) : undefined;
  const siwxRoutes = table.routes.filter((route) => route.config.signInWithX);
  if (!siwx && siwxRoutes.length > 0)
    emit(
      'warn',
      `routes ${siwxRoutes.map((r) => `"${r.key}"`).join(', ')} set signInWithX but the handler has no signInWithX option (verifiers): their payers cannot sign in`,
    );
  return siwx;
}

/** The flow, offers and `/supported` check of a handler, from its options (defaults applied). */
function createSteps(options: PaymentHandlerOptions, table: RouteTable, emit: Emit): PaymentSteps {
  const { server } = options;
  const v1 = options.v1 ?? true;
  const v1UnpaidBody = options.v1UnpaidBody ?? false;
  const routeOffers = createRouteOffers({
    server,
    v1,
    v1UnpaidBody,
    ttlMs: options.requirementsTtlMs ?? 5_000,
    onStale: (route, error) =>
      emit(
        'warn',
        `route "${route.key}": refreshing requirements failed, reusing the previous ones: ${describe(error)}`,
      ),
  });
  const flow = createPaymentFlow({
    server,
    replies: createPaymentReplies({
      server,
      v1,
      v1UnpaidBody,
      ...(options.paywall ? { paywall: options.paywall } : {}),
    }),
    emit,
    v1,
    maxPaymentHeaderLength: options.maxPaymentHeaderLength ?? MAX_PAYMENT_HEADER_LENGTH,
    pendingRetryAfterSeconds: options.pendingRetryAfterSeconds ?? 2,
    assetDecimals: options.assetDecimals,
    grantMemory: options.grantMemory ?? {},
  });
  const check = createSupportedCheck({
    server,
    table,
    emit,
    skip: options.skipSupportedCheck ?? false,
    waitMs: 2_000,
  });
  return { flow, routeOffers, check };
}

/**
 * One request, step by step: the matched route (unprotected: through; unreadable path: 400), its
 * offers, the 402 when unpaid, the payment read and matched, then granted once.
 */
async function processPayment(
  { flow, routeOffers, check }: PaymentSteps,
  found: RouteLookup,
  input: PaymentRequestInput,
  run: RunHandler,
): Promise<PaymentResult> {
  if (found.type === 'unprotected') return UNPROTECTED;
  if (found.type === 'invalid') {
    flow.emit('warn', `refused a request with an unreadable path: ${found.message}`, {
      target: input.target,
    });
    return { type: 'reply', reply: flow.replies.invalidPath(found.message) };
  }
  const { route } = found;
  const ctx = createContext(input, found.path, found.params);
  const paymentHeader = input.header('payment-signature') ?? input.header('x-payment');
  let offers: RouteOffers;
  try {
    offers = await routeOffers.offersFor(route, ctx);
  } catch (error) {
    return {
      type: 'reply',
      reply: internalError(flow, error, 'building payment requirements failed', route),
    };
  }
  // a route no facilitator supports must not get anyone to sign (decided once per route)
  const unsupported = await check.refusal(route);
  if (unsupported) return { type: 'reply', reply: unsupported };
  if (paymentHeader === undefined) {
    const page = wantsPaywall(input.header('accept')) ? flow.replies.paywall(route, ctx, offers) : undefined;
    if (page) return { type: 'reply', reply: page };
    try {
      return { type: 'reply', reply: await flow.replies.unpaid(route, ctx, offers) };
    } catch (error) {
      return { type: 'reply', reply: internalError(flow, error, 'unpaidResponseBody failed', route) };
    }
  }
  const read = readPayment(flow, { route, ctx, offers }, paymentHeader);
  return 'type' in read ? read : grantOnce(flow, read, run);
}

/**
 * Background warm-up: learn the facilitators' kinds and build fixed-price offers, so the first
 * request is fast and a misconfigured route is reported at startup rather than at first use.
 */
async function warmUp(
  flow: PaymentFlow,
  table: RouteTable,
  routeOffers: OffersSource,
  check: SupportedCheck,
): Promise<void> {
  await flow.server.initialize().catch((error: unknown) => {
    flow.emit('warn', `facilitator initialization failed; the core retries on demand: ${describe(error)}`);
  });
  await check.report();
  for (const route of table.routes) {
    if (!route.isStatic) continue;
    try {
      await routeOffers.offersFor(route, warmupContext(route));
    } catch (error) {
      flow.emit('error', `route "${route.key}" cannot build its payment requirements: ${describe(error)}`, {
        route: route.key,
      });
    }
  }
}

/**
 * A scheme with a session (channels: `batch-settlement`) answers some payments itself, e.g. a
 * cooperative refund in place of the handler, which only its verify can tell; the settle-first flow
 * does not verify, so such a route must settle after the handler. Refused when the handler is made.
 */
function refuseSessionsBeforeHandler(table: RouteTable, server: ResourceServer): void {
  for (const route of table.routes) {
    if (route.settle !== 'before-handler') continue;
    const session = route.options.find((o) => server.hasSession(o.scheme, o.network));
    if (session)
      throw new X402Error(
        INVALID_ROUTE_CONFIG,
        `route "${route.key}": ${session.scheme} on ${session.network} keeps a session per payer (its refunds answer in place of the handler, which only verification can tell), so the route must settle after the response: remove settle: 'before-handler' (or extra.paymentFlow: 'upfront')`,
      );
  }
}
