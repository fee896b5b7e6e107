/**
 * The HTTP payment core: Web-standard only (no Express, Hono or Node imports). It decides, for
 * one request, whether to let it through, answer 402/412/400, or run the handler with its
 * output held back until the payment settles. Framework adapters only translate; the flow
 * lives here once.
 */
import {
  type AnyPaymentPayload,
  canonicalJson,
  checkPaymentIdentifier,
  createAttemptId,
  createEmitter,
  createExpiringMap,
  decodePaymentSignatureHeader,
  deepEqual,
  encodePaymentResponseHeader,
  findAsset,
  HeaderNames,
  type Log,
  MAX_PAYMENT_HEADER_LENGTH,
  PAYMENT_IDENTIFIER,
  PaymentIdentifierReasons,
  type PaymentRequirements,
  Reasons,
  type ResourceInfo,
  type ResourceServer,
  readPaymentIdentifier,
  type SettleResponse,
  settleRefusal,
  type VerifyResponse,
  X402Error,
} from '@x402kit/core';
import {
  type BufferedResponse,
  bufferResponse,
  isBufferedResponse,
  type PaymentReply,
  toWebResponse,
} from './buffered-response.js';
import { createPaymentReplies } from './payment-replies.js';
import {
  createContext,
  type PaymentRequestInput,
  warmupContext,
  webRequestInput,
} from './request-context.js';
import { mergeExposeHeaders, NO_STORE } from './response-headers.js';
import { createRouteOffers, type RouteOffers, resourceOf } from './route-offers.js';
import {
  type CompiledRoute,
  compileRoutes,
  matchRoute,
  type RouteContext,
  type RouteLookup,
  type RoutesConfig,
  type RouteTable,
} from './route-table.js';
import { parseSettlementOverrides, resolveSettlementAmount } from './settlement-overrides.js';

export type { PaymentRequestInput } from './request-context.js';
export { webRequestInput } from './request-context.js';

/** Options of {@link createPaymentHandler}. */
export type PaymentHandlerOptions = {
  routes: RoutesConfig;
  /** The resource-server engine from `@x402kit/core` (schemes and facilitators registered). */
  server: ResourceServer;
  /**
   * Speak x402 v1 too (default true): accept `X-PAYMENT` v1 payments (matched by scheme and
   * network, answered with `X-PAYMENT-RESPONSE` as well as `PAYMENT-RESPONSE`), and put a v1
   * document `{x402Version: 1, error, accepts}` in the body of every 402 that carries
   * `PAYMENT-REQUIRED`, because a v1 client reads only the body and cannot announce itself
   * before its first payment. v2 clients read the header and ignore the body. The body is `{}`
   * when no offer has a v1 network name, or when this is false.
   */
  v1?: boolean;
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
  log?: Log;
};

/** A handler's output waiting for its payment to settle, and the amount its overrides asked. */
type HeldOutput = { response: BufferedResponse; amount?: string };
type IdentifiedResponse = {
  payload: AnyPaymentPayload;
  response: BufferedResponse;
  settlement: SettleResponse;
};

/** What one paid request carries through the flow. */
type Call = {
  route: CompiledRoute;
  ctx: RouteContext;
  offers: RouteOffers;
  payload: AnyPaymentPayload;
  requirements: PaymentRequirements;
  resource: ResourceInfo;
  /** This request's grant attempt (or the pending attempt it continues). */
  attempt: string;
  paymentId: string | undefined;
  /** The payment's signed part, canonical: what this process's guard keys on. */
  grantKey: string;
};

/** Runs the downstream handler and returns its response (the core buffers a Web `Response`). */
export type RunHandler = () => Promise<Response | BufferedResponse>;

/** What the core decided. */
export type PaymentResult =
  /** Not a paid route: run the handler normally, without buffering. */
  | { type: 'unprotected' }
  /**
   * The core's own answer (402, 412, 400, 409, 500, or 202 while the settlement is pending). If the
   * handler ran, its output is discarded.
   */
  | { type: 'reply'; reply: PaymentReply; settlement?: SettleResponse }
  /** The handler's answer: settled (with `PAYMENT-RESPONSE`), or its own error status (no settlement). */
  | { type: 'response'; response: BufferedResponse; settlement?: SettleResponse };

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
};

const NO_MATCH_ERROR = 'No matching payment requirements';
const UNPROTECTED: PaymentResult = { type: 'unprotected' };

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
  const v1 = options.v1 ?? true;
  const maxLength = options.maxPaymentHeaderLength ?? MAX_PAYMENT_HEADER_LENGTH;
  const emit = createEmitter(options.log);
  const routeOffers = createRouteOffers({
    server,
    v1,
    ttlMs: options.requirementsTtlMs ?? 5_000,
    onStale: (route, error) =>
      emit(
        'warn',
        `route "${route.key}": refreshing requirements failed, reusing the previous ones: ${describe(error)}`,
      ),
  });
  const replies = createPaymentReplies({ server, v1 });
  const memory = options.grantMemory ?? {};
  /** Handler outputs of payments whose settlement is pending, by attempt: delivered to their retry, once. */
  const held = createExpiringMap<string, HeldOutput>({
    ttlMs: memory.ttlMs ?? 600_000,
    maxEntries: memory.maxEntries ?? 1_000,
  });
  /** The paid response of each payment id (routes with `payment-identifier`): its retries get it again. */
  /**
   * Payments a request of this process is handling now: a concurrent copy is refused at once (a
   * retry under the same payment id waits for the first request's response instead).
   */
  const active = new Map<string, Promise<PaymentResult>>();
  /** Payments this process granted, with their receipt: a replay is refused without asking the facilitator. */
  const granted = createExpiringMap<string, SettleResponse>({
    ttlMs: memory.ttlMs ?? 600_000,
    maxEntries: 10_000,
  });
  const identified = createExpiringMap<string, IdentifiedResponse>({
    ttlMs: memory.ttlMs ?? 600_000,
    maxEntries: memory.maxEntries ?? 1_000,
  });

  function internalError(error: unknown, what: string, route: CompiledRoute): PaymentReply {
    emit('error', `${what} for route "${route.key}": ${describe(error)}`, { route: route.key });
    return replies.internalError(error);
  }

  function match(method: string, target: string): RouteLookup {
    return matchRoute(table, method, target);
  }

  async function processRequest(
    input: PaymentRequestInput,
    run: RunHandler,
    lookup?: RouteLookup,
  ): Promise<PaymentResult> {
    const found = lookup ?? match(input.method, input.target);
    if (found.type === 'unprotected') return UNPROTECTED;
    if (found.type === 'invalid') {
      emit('warn', `refused a request with an unreadable path: ${found.message}`, { target: input.target });
      return { type: 'reply', reply: replies.invalidPath(found.message) };
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
        reply: internalError(error, 'building payment requirements failed', route),
      };
    }
    if (paymentHeader === undefined) {
      try {
        return { type: 'reply', reply: await replies.unpaid(route, ctx, offers) };
      } catch (error) {
        return { type: 'reply', reply: internalError(error, 'unpaidResponseBody failed', route) };
      }
    }

    let payload: AnyPaymentPayload;
    try {
      payload = decodePaymentSignatureHeader(paymentHeader, { maxLength });
    } catch (error) {
      const message = describe(error);
      emit('debug', `undecodable payment header: ${message}`, { route: route.key });
      return {
        type: 'reply',
        reply: replies.refused(route, ctx, offers, `${Reasons.invalidPaymentHeader}: ${message}`),
      };
    }
    if (payload.x402Version === 1 && !v1) {
      const error = `${Reasons.invalidX402Version}: x402 v1 payments are not accepted here; pay with x402 v2 (PAYMENT-SIGNATURE)`;
      return { type: 'reply', reply: replies.refused(route, ctx, offers, error) };
    }
    const requirements = server.findMatchingRequirements(offers.accepts, payload);
    if (!requirements) return { type: 'reply', reply: replies.refused(route, ctx, offers, NO_MATCH_ERROR) };
    const declared = route.config.extensions?.[PAYMENT_IDENTIFIER];
    const idRefusal = declared === undefined ? undefined : checkPaymentIdentifier(declared, payload);
    if (idRefusal) {
      emit('info', `payment refused: ${idRefusal.reason}`, { route: route.key });
      return { type: 'reply', reply: replies.refused(route, ctx, offers, idRefusal.reason, 400) };
    }

    const resource = resourceOf(route, ctx);
    const paymentId = declared === undefined ? undefined : identifierOf(payload);
    if (paymentId !== undefined) {
      const kept = identified.get(paymentId);
      if (kept && deepEqual(kept.payload, payload)) {
        // the one execution this payment bought, delivered again (payment-identifier retry)
        emit('info', `payment id ${paymentId} presented again: its stored response`, { route: route.key });
        return { type: 'response', response: copyOf(kept.response), settlement: kept.settlement };
      }
      if (kept) {
        const error = `${PaymentIdentifierReasons.conflict}: payment id ${paymentId} was already used with another payment`;
        return { type: 'reply', reply: replies.refused(route, ctx, offers, error, 409) };
      }
    }
    // this process's own guard, whatever the facilitator: one request at a time per payment, and
    // none once it was granted here (the facilitator's ledger holds the rule across processes)
    const grantKey = canonicalJson(payload.payload);
    const running = active.get(grantKey);
    if (running && paymentId !== undefined) {
      // a retry under the same payment id while its first request runs: wait, then its response
      await running.catch(() => undefined);
      const kept = identified.get(paymentId);
      if (kept && deepEqual(kept.payload, payload)) {
        return { type: 'response', response: copyOf(kept.response), settlement: kept.settlement };
      }
    }
    if (running || granted.get(grantKey)) {
      return replayRefused(route, ctx, offers, payload, granted.get(grantKey));
    }
    const flow = grant({ route, ctx, offers, payload, requirements, resource, paymentId, grantKey }, run);
    active.set(grantKey, flow);
    try {
      return await flow;
    } finally {
      active.delete(grantKey);
    }
  }

  /** The flow of one payment that no other request of this process is handling. */
  async function grant(input: Omit<Call, 'attempt'>, run: RunHandler): Promise<PaymentResult> {
    const { route, payload, requirements, resource } = input;
    // a retry of a payment whose settlement is pending continues that request's attempt; any other
    // request is a new attempt, which the facilitator refuses while another attempt holds the payment
    const resumed = server.takePending(payload, requirements);
    const attempt = resumed?.attempt ?? createAttemptId();
    const call: Call = { ...input, attempt };
    if (route.settle === 'before-handler') return settleThenRun(call, run, resumed !== undefined);

    const parked = resumed ? held.take(attempt) : undefined;
    if (!resumed) {
      const refusal = await verifyOrRefuse(call);
      if (refusal) return refusal;
    }
    let output = parked;
    if (!output) {
      const out = await run();
      const response = isBufferedResponse(out) ? out : await bufferResponse(out);
      const overrides = response.headers.get(HeaderNames.settlementOverrides);
      response.headers.delete(HeaderNames.settlementOverrides);
      if (response.status >= 400) {
        emit('info', `handler answered ${response.status}; payment not settled`, { route: route.key });
        await server.release(payload, requirements, { resource, attempt });
        return { type: 'response', response };
      }
      let amount: string | undefined;
      if (overrides !== null) {
        try {
          amount = overrideAmount(overrides, requirements);
        } catch (error) {
          await server.release(payload, requirements, { resource, attempt });
          return {
            type: 'reply',
            reply: internalError(error, 'invalid Settlement-Overrides header', route),
          };
        }
      }
      output = { response, ...(amount === undefined ? {} : { amount }) };
    }

    const settlement = await settleOf(call, output.amount);
    if (isPending(settlement)) {
      held.set(attempt, output);
      return pendingReply(call, settlement);
    }
    if (!settlement.success) return failedReply(call, settlement);
    return paidResponse(call, output.response, settlement);
  }

  /** 402 `duplicate_settlement` for a copy of a payment this process is handling or has granted. */
  function replayRefused(
    route: CompiledRoute,
    ctx: RouteContext,
    offers: RouteOffers,
    payload: AnyPaymentPayload,
    receipt: SettleResponse | undefined,
  ): PaymentResult {
    emit(
      'info',
      `payment refused: ${Reasons.duplicateSettlement} (a copy of a payment ${receipt ? 'already granted' : 'in progress'} here)`,
      {
        route: route.key,
      },
    );
    const reply = replies.refused(route, ctx, offers, Reasons.duplicateSettlement);
    const message = receipt
      ? `this payment was already settled in transaction ${receipt.transaction}; one payment buys one response`
      : 'this payment is already being used by another request; one payment buys one response';
    const settlement = settleRefusal(
      Reasons.duplicateSettlement,
      message,
      networkOfPayload(payload),
      receipt?.transaction ?? '',
      receipt?.payer,
    );
    reply.headers[HeaderNames.paymentResponse] = encodePaymentResponseHeader(settlement);
    return { type: 'reply', reply };
  }

  /** Verify, which reserves the payment for this attempt; the refusal to send, or `undefined`. */
  async function verifyOrRefuse(call: Call): Promise<PaymentResult | undefined> {
    const { route, ctx, offers, payload, requirements, resource, attempt } = call;
    let verified: VerifyResponse;
    try {
      verified = await server.verify(payload, requirements, { resource, attempt });
    } catch (error) {
      verified = { isValid: false, invalidReason: reasonOf(error, Reasons.unexpectedVerifyError) };
    }
    if (verified.isValid) return undefined;
    const reason = verified.invalidReason ?? Reasons.invalidPayload;
    emit(
      'info',
      `payment refused: ${reason}${verified.invalidMessage ? ` (${verified.invalidMessage})` : ''}`,
      { route: route.key, payer: verified.payer },
    );
    const status =
      reason === Reasons.permit2AllowanceRequired
        ? 412
        : reason === PaymentIdentifierReasons.conflict
          ? 409
          : 402;
    const reply = replies.refused(route, ctx, offers, reason, status);
    // a replay is told which transaction its payment already went into, when the facilitator says
    const transaction = Reflect.get(verified, 'transaction');
    if (reason === Reasons.duplicateSettlement && typeof transaction === 'string' && transaction !== '') {
      const settlement = settleRefusal(
        reason,
        verified.invalidMessage,
        networkOfPayload(payload),
        transaction,
      );
      reply.headers[HeaderNames.paymentResponse] = encodePaymentResponseHeader(settlement);
    }
    return { type: 'reply', reply };
  }

  /** Settle before the handler (`settle: 'before-handler'`): the handler runs only for a settled payment. */
  async function settleThenRun(call: Call, run: RunHandler, resumed: boolean): Promise<PaymentResult> {
    if (!resumed) {
      // what verify would have checked on this side before the facilitator sees the payment
      const refused = await server.checkPayment(call.payload, call.requirements);
      if (refused) {
        const reason = refused.invalidReason ?? Reasons.invalidPayload;
        emit('info', `payment refused: ${reason} (${refused.invalidMessage ?? ''})`, {
          route: call.route.key,
        });
        return { type: 'reply', reply: replies.refused(call.route, call.ctx, call.offers, reason) };
      }
    }
    const settlement = await settleOf(call, undefined);
    if (isPending(settlement)) return pendingReply(call, settlement);
    if (!settlement.success) return failedReply(call, settlement);
    const out = await run();
    const response = isBufferedResponse(out) ? out : await bufferResponse(out);
    response.headers.delete(HeaderNames.settlementOverrides);
    if (response.status >= 400) {
      emit('warn', `handler answered ${response.status} after the payment settled`, {
        route: call.route.key,
        transaction: settlement.transaction,
      });
    }
    // the money moved: the handler's answer goes out with the receipt, whatever its status
    return paidResponse(call, response, settlement);
  }

  async function settleOf(call: Call, amount: string | undefined): Promise<SettleResponse> {
    const { payload, requirements, resource, attempt } = call;
    try {
      return await server.settle(payload, requirements, {
        resource,
        attempt,
        ...(amount === undefined ? {} : { amount }),
      });
    } catch (error) {
      return {
        success: false,
        errorReason: reasonOf(error, Reasons.unexpectedSettleError),
        errorMessage: describe(error),
        transaction: '',
        network: networkOfPayload(payload),
      };
    }
  }

  function pendingReply(call: Call, settlement: SettleResponse): PaymentResult {
    // never a fresh 402 here: it would invite the client to pay a second time
    emit('info', `settlement pending: ${settlement.transaction || '(no hash yet)'}; answered 202`, {
      route: call.route.key,
    });
    return {
      type: 'reply',
      reply: replies.settlementPending(call.payload, settlement, options.pendingRetryAfterSeconds ?? 2),
      settlement,
    };
  }

  async function failedReply(call: Call, settlement: SettleResponse): Promise<PaymentResult> {
    const { route, ctx, offers, payload } = call;
    emit('warn', `settlement failed: ${settlement.errorReason ?? 'unknown'}; the response was withheld`, {
      route: route.key,
      errorMessage: settlement.errorMessage,
    });
    try {
      return {
        type: 'reply',
        reply: await replies.settlementFailed(route, ctx, offers, payload, settlement),
        settlement,
      };
    } catch (error) {
      return {
        type: 'reply',
        reply: internalError(error, 'settlementFailedResponseBody failed', route),
        settlement,
      };
    }
  }

  function paidResponse(call: Call, response: BufferedResponse, settlement: SettleResponse): PaymentResult {
    const encoded = encodePaymentResponseHeader(settlement);
    response.headers.set(HeaderNames.paymentResponse, encoded);
    if (call.payload.x402Version === 1) response.headers.set(HeaderNames.xPaymentResponse, encoded);
    response.headers.set('Cache-Control', NO_STORE);
    response.headers.set(
      'Access-Control-Expose-Headers',
      mergeExposeHeaders(response.headers.get('Access-Control-Expose-Headers')),
    );
    emit('info', `payment settled: ${settlement.transaction}`, {
      route: call.route.key,
      payer: settlement.payer,
      amount: settlement.amount,
    });
    granted.set(call.grantKey, settlement);
    if (call.paymentId !== undefined) {
      identified.set(call.paymentId, { payload: call.payload, response: copyOf(response), settlement });
    }
    return { type: 'response', response, settlement };
  }

  function overrideAmount(header: string, requirements: PaymentRequirements): string | undefined {
    const parsed = parseSettlementOverrides(header);
    if (parsed.amount === undefined) return undefined;
    const decimals =
      options.assetDecimals?.(requirements) ?? findAsset(requirements.network, requirements.asset)?.decimals;
    return resolveSettlementAmount(parsed.amount, requirements.amount, decimals);
  }

  async function handle(request: Request, next: (request: Request) => Promise<Response>): Promise<Response> {
    const lookup = match(request.method, request.url);
    if (lookup.type === 'unprotected') return next(request);
    const result = await processRequest(webRequestInput(request), () => next(request), lookup);
    if (result.type === 'unprotected') return next(request);
    return toWebResponse(result.type === 'reply' ? result.reply : result.response);
  }

  // Background warm-up: learn the facilitators' kinds and build fixed-price offers, so the first
  // request is fast and a misconfigured route is reported at startup rather than at first use.
  async function warmUp(): Promise<void> {
    await server.initialize().catch((error: unknown) => {
      emit('warn', `facilitator initialization failed; the core retries on demand: ${describe(error)}`);
    });
    for (const route of table.routes) {
      if (!route.isStatic) continue;
      try {
        await routeOffers.offersFor(route, warmupContext(route));
      } catch (error) {
        emit('error', `route "${route.key}" cannot build its payment requirements: ${describe(error)}`, {
          route: route.key,
        });
      }
    }
  }
  if (options.initialize ?? true) void warmUp();

  return { table, server, match, processRequest, handle };
}

function networkOfPayload(payload: AnyPaymentPayload): string {
  return payload.x402Version === 2 ? payload.accepted.network : payload.network;
}

function isPending(settlement: SettleResponse): boolean {
  return !settlement.success && settlement.errorReason === Reasons.settlementPending;
}

function identifierOf(payload: AnyPaymentPayload): string | undefined {
  const found = readPaymentIdentifier(payload);
  return found.present && found.valid ? found.id : undefined;
}

function copyOf(response: BufferedResponse): BufferedResponse {
  return {
    ...response,
    headers: new Headers(response.headers),
    body: response.body === null ? null : response.body.slice(),
  };
}

function reasonOf(error: unknown, fallback: string): string {
  return error instanceof X402Error ? error.reason : fallback;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
