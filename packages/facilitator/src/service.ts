/**
 * The facilitator HTTP service: `POST /verify`, `POST /settle`, `GET /supported`, `GET /health`
 * (and `POST /close` when enabled) over the core engine, as a Web-standard `fetch` handler.
 *
 * Client input never produces a 500: a body that is not a verify/settle envelope is a 400, a body
 * over the limit a 413, a payment that does not verify a 200 with `isValid: false` (exactly as the
 * reference facilitator answers). Every answer is JSON with `content-type: application/json`.
 *
 * The logic is written once against a small {@link ServiceExchange}; `fetch` adapts a `Request`
 * to it, and the Node server (`server.ts`) adapts `IncomingMessage` without building a `Request`.
 */
import type { Facilitator, SettleResponse, SupportedResponse, VerifyResponse } from '@x402kit/core';
import { readFacilitatorRequest } from './facilitator-request.js';
import { type FeeQuoter, quoteFees, readFeeQuoteRequest } from './fee-quote.js';
import { createEmitter, type Log } from './log.js';
import { describeError, isJsonContentType, pathOf, readStream } from './service-http.js';
import { type ServiceErrorBody, ServiceReasons } from './service-reasons.js';

/** Default cap on a verify/settle body: 64 KiB (a smart-wallet payload is a few KB). */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/** Reads one header, case-insensitively; `null` when absent. The Web `Headers` class fits. */
export type HeaderReader = { get(name: string): string | null };

export type FacilitatorEndpoint =
  | 'verify'
  | 'settle'
  | 'supported'
  | 'health'
  | 'close'
  | 'feeQuote'
  | 'payments'
  | 'metrics';

/** What an {@link Authenticate} hook sees. It runs before the body is read. */
export type AuthenticationRequest = {
  endpoint: Exclude<FacilitatorEndpoint, 'health'>;
  method: string;
  path: string;
  headers: HeaderReader;
  /** The peer's IP address, when the transport knows it (the Node server does). */
  remoteAddress?: string;
};

export type AuthenticationResult =
  | { ok: true; principal?: string }
  | {
      ok: false;
      status: 401 | 403 | 429;
      /** Reason code put in the answer's `error` field, e.g. `unauthorized`, `rate_limited`. */
      reason: string;
      message: string;
      /** Sent as `Retry-After` (useful with 429). */
      retryAfterSeconds?: number;
    };

/** Decides whether a request may use the service (API keys, rate limits). Must not throw. */
export type Authenticate = (request: AuthenticationRequest) => Promise<AuthenticationResult>;

/** What an {@link Authorize} hook sees: the parsed body of a `/verify` or `/settle` request. */
export type AuthorizationRequest = {
  endpoint: 'verify' | 'settle';
  /** The principal {@link Authenticate} returned, if any. */
  principal?: string;
  paymentPayload: Record<string, unknown>;
  paymentRequirements: Record<string, unknown>;
};

export type AuthorizationResult = { ok: true } | { ok: false; status: 403; reason: string; message: string };

/**
 * Decides, once the body is parsed, whether the caller may ask for this payment (an API key's
 * payTo / asset allow-list). Must not throw.
 */
export type Authorize = (request: AuthorizationRequest) => AuthorizationResult | Promise<AuthorizationResult>;

/**
 * An extra route mounted under a path prefix (the ledger's `/payments`, `/metrics`). It handles its
 * own methods; unless `public`, it runs behind {@link Authenticate}.
 */
export type ServiceRoute = {
  /** `/payments` matches `/payments` and `/payments/...`. */
  prefix: string;
  endpoint: 'payments' | 'metrics';
  public?: boolean;
  handle(exchange: ServiceExchange): Promise<ServiceReply>;
};

/** What `GET /health` reports; `ok: false` answers 503. */
export type HealthReport = { ok: boolean; details?: Record<string, unknown> };

/** One handled request, for metrics and access logs. */
export type ServiceRequestEvent = {
  endpoint: FacilitatorEndpoint | undefined;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  principal?: string;
  /** The `error` of a non-200 answer, or the `invalidReason` / `errorReason` of a refused payment. */
  reason?: string;
  /** The payment's scheme and network (/verify and /settle with a well-formed body). */
  scheme?: string;
  network?: string;
  /** For /verify and /settle answered 200. */
  outcome?: 'valid' | 'invalid' | 'settled' | 'failed';
};

export type FacilitatorServiceOptions = {
  /** The engine (`createFacilitator` from `@x402kit/core`, or `createEvmFacilitator`). */
  facilitator: Facilitator;
  /** Largest accepted verify/settle body; default {@link DEFAULT_BODY_LIMIT_BYTES}. */
  bodyLimitBytes?: number;
  log?: Log;
  /** Runs before every endpoint but `/health`; absent means open access. */
  authenticate?: Authenticate;
  /** Backs `GET /health`; absent means always `{"status":"ok"}`. */
  checkHealth?: () => Promise<HealthReport>;
  /**
   * Enables `POST /close` (the x402 e2e harness stops facilitators with it): the service answers
   * `{"status":"closing"}` and then calls this. Absent means `/close` is a 404.
   */
  onClose?: () => void;
  /** Called once per request after the answer is ready (metrics). Must not throw. */
  observe?: (event: ServiceRequestEvent) => void;
  /**
   * Enables `POST /fee/quote` (BofAI's fee quote for `exact_permit`), e.g. the `quoteFee` of
   * `createEvmFacilitator({ fees })`. Absent means `/fee/quote` is a 404.
   */
  feeQuote?: FeeQuoter;
  /** Runs after the body of /verify and /settle is parsed; absent means every payment is allowed. */
  authorize?: Authorize;
  /** Extra routes (see {@link ServiceRoute}). */
  routes?: readonly ServiceRoute[];
};

/** A transport-neutral request: what the service needs from any HTTP server. */
export type ServiceExchange = {
  method: string;
  /** The request target; a query string is ignored. */
  path: string;
  headers: HeaderReader;
  remoteAddress?: string;
  /**
   * Reads the whole body, at most `limit` bytes. Resolves `undefined` as soon as the body proves
   * larger (reading stops there); rejects when the body cannot be read (the client went away).
   */
  readBody(limit: number): Promise<Uint8Array | undefined>;
};

/** A transport-neutral answer. The body is always JSON text. */
export type ServiceReply = {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The `error` code of a non-200 answer. */
  error?: string;
  /** The request body was not read to the end: the connection must not be reused. */
  closeConnection?: boolean;
};

export type FacilitatorService = {
  /** The Web-standard handler (Bun, Deno, Hono, `@hono/node-server`, tests). */
  fetch(request: Request): Promise<Response>;
  /** The same logic without `Request`/`Response` objects, for fast adapters. */
  handle(exchange: ServiceExchange): Promise<ServiceReply>;
  readonly bodyLimitBytes: number;
};

type Route = { method: 'GET' | 'POST'; endpoint: FacilitatorEndpoint };

const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['/verify', { method: 'POST', endpoint: 'verify' }],
  ['/settle', { method: 'POST', endpoint: 'settle' }],
  ['/supported', { method: 'GET', endpoint: 'supported' }],
  ['/health', { method: 'GET', endpoint: 'health' }],
  ['/close', { method: 'POST', endpoint: 'close' }],
  ['/fee/quote', { method: 'POST', endpoint: 'feeQuote' }],
]);

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };
const OK_HEALTH = JSON.stringify({ status: 'ok' });

/**
 * Create the facilitator service around an engine.
 *
 * @example
 * const service = createFacilitatorService({ facilitator: createFacilitator({ schemes: [...] }) })
 * const response = await service.fetch(new Request('http://localhost/supported'))
 */
export function createFacilitatorService(options: FacilitatorServiceOptions): FacilitatorService {
  const { facilitator, authenticate, authorize, checkHealth, onClose, observe, feeQuote } = options;
  const routes = options.routes ?? [];
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  if (!Number.isSafeInteger(bodyLimitBytes) || bodyLimitBytes <= 0) {
    throw new TypeError(`bodyLimitBytes must be a positive integer (got ${String(options.bodyLimitBytes)})`);
  }
  const logging = options.log !== undefined;
  const emit = createEmitter(options.log);
  let supportedSource: SupportedResponse | undefined;
  let supportedJson = '';

  async function handle(exchange: ServiceExchange): Promise<ServiceReply> {
    const started = performance.now();
    const path = pathOf(exchange.path);
    const route = ROUTES.get(path);
    const extra = route
      ? undefined
      : routes.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
    const endpoint = extra
      ? extra.endpoint
      : route && (route.endpoint !== 'close' || onClose) && (route.endpoint !== 'feeQuote' || feeQuote)
        ? route.endpoint
        : undefined;
    const event: ServiceRequestEvent = { endpoint, method: exchange.method, path, status: 0, durationMs: 0 };
    let reply: ServiceReply;
    try {
      reply = extra
        ? await answerExtra(exchange, path, extra, event)
        : await answer(exchange, path, route, endpoint, event);
    } catch (error) {
      emit('error', `unexpected error while handling ${exchange.method} ${path}`, {
        error: describeError(error),
      });
      reply = errorReply(
        500,
        ServiceReasons.unexpectedError,
        `unexpected error while handling ${exchange.method} ${path}; the details are in the facilitator's log`,
      );
    }
    if (observe) {
      event.status = reply.status;
      event.durationMs = performance.now() - started;
      if (reply.error !== undefined && event.reason === undefined) event.reason = reply.error;
      try {
        observe(event);
      } catch {
        // metrics must never break a request
      }
    }
    return reply;
  }

  async function answerExtra(
    exchange: ServiceExchange,
    path: string,
    route: ServiceRoute,
    event: ServiceRequestEvent,
  ): Promise<ServiceReply> {
    if (!route.public) {
      const refused = await authenticateExchange(exchange, route.endpoint, path, event);
      if (refused) return refused;
    }
    return route.handle(exchange);
  }

  /** Runs {@link Authenticate}; the refusal to send, or `undefined` when the request may proceed. */
  async function authenticateExchange(
    exchange: ServiceExchange,
    endpoint: Exclude<FacilitatorEndpoint, 'health'>,
    path: string,
    event: ServiceRequestEvent,
  ): Promise<ServiceReply | undefined> {
    if (!authenticate) return undefined;
    const auth = await authenticate({
      endpoint,
      method: exchange.method,
      path,
      headers: exchange.headers,
      ...(exchange.remoteAddress === undefined ? {} : { remoteAddress: exchange.remoteAddress }),
    });
    if (!auth.ok) {
      const reply = errorReply(auth.status, auth.reason, auth.message);
      if (auth.retryAfterSeconds !== undefined) reply.headers['retry-after'] = String(auth.retryAfterSeconds);
      return reply;
    }
    if (auth.principal !== undefined) event.principal = auth.principal;
    return undefined;
  }

  async function answer(
    exchange: ServiceExchange,
    path: string,
    route: Route | undefined,
    endpoint: FacilitatorEndpoint | undefined,
    event: ServiceRequestEvent,
  ): Promise<ServiceReply> {
    if (!route || !endpoint) {
      return errorReply(
        404,
        ServiceReasons.notFound,
        `no endpoint at ${path}; this facilitator serves POST /verify, POST /settle, GET /supported and GET /health`,
      );
    }
    const method = exchange.method === 'HEAD' ? 'GET' : exchange.method;
    if (method !== route.method) {
      const reply = errorReply(
        405,
        ServiceReasons.methodNotAllowed,
        `${path} accepts ${route.method}, not ${exchange.method}`,
      );
      reply.headers.allow = route.method === 'GET' ? 'GET, HEAD' : route.method;
      return reply;
    }
    if (endpoint === 'health') return health();

    const refused = await authenticateExchange(exchange, endpoint, path, event);
    if (refused) return refused;

    if (endpoint === 'supported') return supported();
    if (endpoint === 'close') {
      emit('info', 'POST /close received: shutting down');
      setTimeout(() => onClose?.(), 0);
      return jsonReply(200, JSON.stringify({ status: 'closing' }));
    }

    const contentType = exchange.headers.get('content-type');
    if (contentType !== null && !isJsonContentType(contentType)) {
      return errorReply(
        415,
        ServiceReasons.unsupportedMediaType,
        `content-type must be application/json, got ${JSON.stringify(contentType.slice(0, 100))}`,
      );
    }
    const declared = exchange.headers.get('content-length');
    if (declared !== null && Number(declared) > bodyLimitBytes) return tooLarge(`${declared} bytes`);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await exchange.readBody(bodyLimitBytes);
    } catch (error) {
      return errorReply(
        400,
        ServiceReasons.invalidRequestBody,
        `the request body could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (bytes === undefined) return tooLarge(`more than ${bodyLimitBytes} bytes`);
    if (endpoint === 'feeQuote' && feeQuote) return answerFeeQuote(bytes, feeQuote);
    const read = readFacilitatorRequest(bytes);
    if (!read.ok) return errorReply(400, ServiceReasons.invalidRequestBody, read.message);
    const { paymentPayload, paymentRequirements } = read.body;
    if (typeof paymentRequirements.scheme === 'string') event.scheme = paymentRequirements.scheme;
    if (typeof paymentRequirements.network === 'string') event.network = paymentRequirements.network;
    if (authorize && (endpoint === 'verify' || endpoint === 'settle')) {
      const verdict = await authorize({
        endpoint,
        paymentPayload,
        paymentRequirements,
        ...(event.principal === undefined ? {} : { principal: event.principal }),
      });
      if (!verdict.ok) return errorReply(verdict.status, verdict.reason, verdict.message);
    }

    if (endpoint === 'verify') {
      const result: VerifyResponse = await facilitator.verify(paymentPayload, paymentRequirements);
      event.outcome = result.isValid ? 'valid' : 'invalid';
      if (result.invalidReason !== undefined) event.reason = result.invalidReason;
      if (logging) {
        emit('debug', `verify: ${result.isValid ? 'valid' : `invalid (${result.invalidReason})`}`, {
          payer: result.payer,
          invalidReason: result.invalidReason,
          invalidMessage: result.invalidMessage,
        });
      }
      return jsonReply(200, JSON.stringify(result));
    }
    const result: SettleResponse = await facilitator.settle(paymentPayload, paymentRequirements);
    event.outcome = result.success ? 'settled' : 'failed';
    if (result.errorReason !== undefined) event.reason = result.errorReason;
    if (logging) {
      emit('info', `settle: ${result.success ? 'settled' : `failed (${result.errorReason})`}`, {
        network: result.network,
        transaction: result.transaction,
        payer: result.payer,
        errorReason: result.errorReason,
        errorMessage: result.errorMessage,
      });
    }
    return jsonReply(200, JSON.stringify(result));
  }

  async function supported(): Promise<ServiceReply> {
    const value = await facilitator.supported();
    if (value !== supportedSource) {
      supportedSource = value;
      supportedJson = JSON.stringify(value);
    }
    return jsonReply(200, supportedJson);
  }

  async function health(): Promise<ServiceReply> {
    if (!checkHealth) return jsonReply(200, OK_HEALTH);
    const report = await checkHealth();
    if (report.ok) return jsonReply(200, JSON.stringify({ status: 'ok', ...report.details }));
    return {
      ...jsonReply(
        503,
        JSON.stringify({
          error: ServiceReasons.unhealthy,
          message: 'the facilitator is not healthy',
          status: 'unhealthy',
          ...report.details,
        }),
      ),
      error: ServiceReasons.unhealthy,
    };
  }

  function tooLarge(size: string): ServiceReply {
    const reply = errorReply(
      413,
      ServiceReasons.requestTooLarge,
      `the request body is ${size}; the limit is ${bodyLimitBytes} bytes`,
    );
    reply.closeConnection = true;
    reply.headers.connection = 'close';
    return reply;
  }

  return {
    bodyLimitBytes,
    handle,
    async fetch(request) {
      const reply = await handle({
        method: request.method,
        path: request.url,
        headers: request.headers,
        readBody: (limit) => readStream(request.body, limit),
      });
      return new Response(request.method === 'HEAD' ? null : reply.body, {
        status: reply.status,
        headers: reply.headers,
      });
    },
  };
}

/** `POST /fee/quote`: one quote per offer the quoter prices (see `fee-quote.ts`). */
function answerFeeQuote(bytes: Uint8Array, quoter: FeeQuoter): ServiceReply {
  const read = readFeeQuoteRequest(bytes);
  if (!read.ok) return errorReply(400, ServiceReasons.invalidRequestBody, read.message);
  return jsonReply(200, JSON.stringify(quoteFees(read.accepts, quoter)));
}

function jsonReply(status: number, body: string): ServiceReply {
  return { status, headers: { ...JSON_HEADERS }, body };
}

function errorReply(status: number, error: string, message: string): ServiceReply {
  const body: ServiceErrorBody = { error, message };
  return { ...jsonReply(status, JSON.stringify(body)), error };
}
