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
import {
  ATTEMPT_HEADER,
  ATTEMPT_PATTERN,
  type FacilitatorCallOptions,
  type SettleResponse,
  type SupportedResponse,
  type VerifyResponse,
} from '@x402kit/core';
import { readFacilitatorRequest } from './facilitator-request.js';
import { createEmitter } from './log.js';
import { describeError, isJsonContentType, pathOf, readStream } from './service-http.js';
import { ServiceReasons } from './service-reasons.js';
import { errorReply, feeQuoteReply, healthReply, jsonReply, tooLargeReply } from './service-replies.js';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  type FacilitatorEndpoint,
  type FacilitatorService,
  type FacilitatorServiceOptions,
  type ServiceExchange,
  type ServiceReply,
  type ServiceRequestEvent,
  type ServiceRoute,
} from './service-types.js';

export type {
  Authenticate,
  AuthenticationRequest,
  AuthenticationResult,
  AuthorizationRequest,
  AuthorizationResult,
  Authorize,
  FacilitatorEndpoint,
  FacilitatorService,
  FacilitatorServiceOptions,
  HeaderReader,
  HealthReport,
  ServiceExchange,
  ServiceReply,
  ServiceRequestEvent,
  ServiceRoute,
} from './service-types.js';
export { DEFAULT_BODY_LIMIT_BYTES } from './service-types.js';

type Route = { method: 'GET' | 'POST'; endpoint: FacilitatorEndpoint };

const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['/verify', { method: 'POST', endpoint: 'verify' }],
  ['/settle', { method: 'POST', endpoint: 'settle' }],
  ['/release', { method: 'POST', endpoint: 'release' }],
  ['/supported', { method: 'GET', endpoint: 'supported' }],
  ['/health', { method: 'GET', endpoint: 'health' }],
  ['/close', { method: 'POST', endpoint: 'close' }],
  ['/fee/quote', { method: 'POST', endpoint: 'feeQuote' }],
]);

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
    const event: ServiceRequestEvent = {
      endpoint,
      method: exchange.method,
      path,
      status: 0,
      durationMs: 0,
      startedAt: Date.now(),
    };
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
    if (endpoint === 'health') return healthReply(checkHealth ? await checkHealth() : undefined);

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
    if (declared !== null && Number(declared) > bodyLimitBytes)
      return tooLargeReply(`${declared} bytes`, bodyLimitBytes);
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
    if (bytes === undefined) return tooLargeReply(`more than ${bodyLimitBytes} bytes`, bodyLimitBytes);
    if (endpoint === 'feeQuote' && feeQuote) return feeQuoteReply(bytes, feeQuote);
    const attempt = exchange.headers.get(ATTEMPT_HEADER);
    if (attempt !== null && !ATTEMPT_PATTERN.test(attempt)) {
      return errorReply(
        400,
        ServiceReasons.invalidAttempt,
        `the ${ATTEMPT_HEADER} header must be 8 to 128 characters of [A-Za-z0-9._:-]`,
      );
    }
    const callOptions: FacilitatorCallOptions = {
      ...(attempt === null ? {} : { attempt }),
      ...(event.principal === undefined ? {} : { principal: event.principal }),
    };
    const traceparent = exchange.headers.get('traceparent');
    if (traceparent !== null) event.traceparent = traceparent;
    const read = readFacilitatorRequest(bytes);
    if (!read.ok) return errorReply(400, ServiceReasons.invalidRequestBody, read.message);
    const { paymentPayload, paymentRequirements } = read.body;
    if (typeof paymentRequirements.scheme === 'string') event.scheme = paymentRequirements.scheme;
    if (typeof paymentRequirements.network === 'string') event.network = paymentRequirements.network;
    if (authorize && (endpoint === 'verify' || endpoint === 'settle' || endpoint === 'release')) {
      const verdict = await authorize({
        endpoint,
        paymentPayload,
        paymentRequirements,
        ...(event.principal === undefined ? {} : { principal: event.principal }),
      });
      if (!verdict.ok) return errorReply(verdict.status, verdict.reason, verdict.message);
    }

    if (endpoint === 'verify') {
      const result: VerifyResponse = await facilitator.verify(
        paymentPayload,
        paymentRequirements,
        callOptions,
      );
      event.outcome = result.isValid ? 'valid' : 'invalid';
      if (result.invalidReason !== undefined) event.reason = result.invalidReason;
      if (result.payer) event.payer = result.payer;
      if (logging) {
        emit('debug', `verify: ${result.isValid ? 'valid' : `invalid (${result.invalidReason})`}`, {
          scheme: event.scheme,
          network: event.network,
          payer: result.payer,
          invalidReason: result.invalidReason,
          invalidMessage: result.invalidMessage,
        });
      }
      return jsonReply(200, JSON.stringify(result));
    }
    if (endpoint === 'release') {
      const released = (await facilitator.release?.(paymentPayload, paymentRequirements, callOptions)) ?? {
        released: false,
      };
      return jsonReply(200, JSON.stringify(released));
    }
    const result: SettleResponse = await facilitator.settle(paymentPayload, paymentRequirements, callOptions);
    event.outcome = result.success ? 'settled' : 'failed';
    if (result.errorReason !== undefined) event.reason = result.errorReason;
    if (result.payer) event.payer = result.payer;
    if (result.transaction) event.transaction = result.transaction;
    if (logging) {
      emit('info', `settle: ${result.success ? 'settled' : `failed (${result.errorReason})`}`, {
        scheme: event.scheme,
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
