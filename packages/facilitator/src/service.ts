/**
 * The facilitator HTTP service: `POST /verify`, `POST /settle`, `GET /supported`, `GET /health`
 * (and `POST /close` when enabled) over the core engine, as a Web-standard `fetch` handler.
 *
 * Client input never produces a 500: a body that is not a verify/settle envelope is a 400, a body
 * over the limit a 413, a payment that does not verify a 200 with `isValid: false` (exactly as the
 * reference facilitator answers). Every answer is JSON with `content-type: application/json`.
 *
 * The logic is written once against a small {@link ServiceExchange}, as a table of named steps per
 * endpoint routed by hono (`service-routes.ts`): `fetch` is a `Hono` app's, and `handle` routes the
 * same table with hono's router for the Node server (`server.ts`), which adapts `IncomingMessage`
 * without building a `Request`.
 */
import { type SupportedResponse, withReason } from '@x402kit/core';
import { FacilitatorReasons } from './facilitator-reasons.js';
import { createEmitter, type Emit } from './log.js';
import { authenticateCall } from './service-authenticate.js';
import { describeError, pathOf } from './service-http.js';
import { answerPayment, type PaymentEndpoint, readJsonBody, readPaymentCall } from './service-payment.js';
import { ServiceReasons } from './service-reasons.js';
import { errorReply, feeQuoteReply, healthReply, jsonReply } from './service-replies.js';
import {
  createServiceApp,
  createServiceRouter,
  type Dispatch,
  type ServiceCall,
  type ServiceRouteEntry,
} from './service-routes.js';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  type FacilitatorService,
  type FacilitatorServiceOptions,
  type ServiceReply,
  type ServiceRequestEvent,
} from './service-types.js';

/** A fixed endpoint: one method at one path. */
type FixedEntry = ServiceRouteEntry & { method: 'GET' | 'POST' };
type Answer = (call: ServiceCall) => Promise<ServiceReply>;

/**
 * Create the facilitator service around an engine.
 *
 * @example
 * const service = createFacilitatorService({ facilitator: createFacilitator({ schemes: [...] }) })
 * const response = await service.fetch(new Request('http://localhost/supported'))
 */
export function createFacilitatorService(options: FacilitatorServiceOptions): FacilitatorService {
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  if (!Number.isSafeInteger(bodyLimitBytes) || bodyLimitBytes <= 0) {
    throw withReason(
      new TypeError(`bodyLimitBytes must be a positive integer (got ${String(options.bodyLimitBytes)})`),
      FacilitatorReasons.config,
    );
  }
  const emit = createEmitter(options.log);
  const entries = serviceEntries(options, bodyLimitBytes, emit);
  const dispatch = createDispatch(emit, options.observe);
  const route = createServiceRouter(entries);
  const app = createServiceApp(entries, dispatch);
  return {
    bodyLimitBytes,
    handle(exchange) {
      const path = pathOf(exchange.path);
      return dispatch(exchange, path, route(exchange.method, path));
    },
    async fetch(request) {
      return app.fetch(request);
    },
  };
}

/** The route table: the fixed endpoints (`/close` and `/fee/quote` when enabled), their 405s, the extra routes. */
function serviceEntries(
  options: FacilitatorServiceOptions,
  bodyLimitBytes: number,
  emit: Emit,
): ServiceRouteEntry[] {
  const { facilitator, authenticate, authorize, checkHealth, onClose, feeQuote } = options;
  const logged = options.log === undefined ? undefined : emit;
  const guarded =
    (endpoint: Parameters<typeof authenticateCall>[2], answer: Answer): Answer =>
    async (call) =>
      (await authenticateCall(authenticate, call, endpoint)) ?? answer(call);
  const payment = (endpoint: PaymentEndpoint): Answer =>
    guarded(endpoint, async (call) => {
      const bytes = await readJsonBody(call, bodyLimitBytes);
      if (!(bytes instanceof Uint8Array)) return bytes;
      const read = await readPaymentCall(call, bytes, endpoint, authorize);
      return 'paymentPayload' in read ? answerPayment(facilitator, endpoint, call, read, logged) : read;
    });
  const fixed: FixedEntry[] = [
    { method: 'POST', path: '/verify', endpoint: 'verify', answer: payment('verify') },
    { method: 'POST', path: '/settle', endpoint: 'settle', answer: payment('settle') },
    { method: 'POST', path: '/release', endpoint: 'release', answer: payment('release') },
    {
      method: 'GET',
      path: '/supported',
      endpoint: 'supported',
      answer: guarded('supported', supportedAnswer(facilitator)),
    },
    {
      method: 'GET',
      path: '/health',
      endpoint: 'health',
      answer: async () => healthReply(checkHealth ? await checkHealth() : undefined),
    },
  ];
  if (onClose) {
    const close: Answer = async () => {
      emit('info', 'POST /close received: shutting down');
      setTimeout(() => onClose(), 0);
      return jsonReply(200, JSON.stringify({ status: 'closing' }));
    };
    fixed.push({ method: 'POST', path: '/close', endpoint: 'close', answer: guarded('close', close) });
  }
  if (feeQuote) {
    const quote: Answer = async (call) => {
      const bytes = await readJsonBody(call, bodyLimitBytes);
      return bytes instanceof Uint8Array ? feeQuoteReply(bytes, feeQuote) : bytes;
    };
    fixed.push({
      method: 'POST',
      path: '/fee/quote',
      endpoint: 'feeQuote',
      answer: guarded('feeQuote', quote),
    });
  }
  const extras = (options.routes ?? []).flatMap((extra): ServiceRouteEntry[] => {
    const handle: Answer = (call) => extra.handle(call.exchange);
    const answer = extra.public ? handle : guarded(extra.endpoint, handle);
    const { endpoint, prefix } = extra;
    return [
      { method: 'ALL', path: prefix, endpoint, answer },
      { method: 'ALL', path: `${prefix}/*`, endpoint, answer },
    ];
  });
  return [...fixed, ...fixed.map(methodNotAllowed), ...extras];
}

/** Every call's frame: the event, the 404, a thrown error turned into 500 (and logged), the observers. */
function createDispatch(emit: Emit, observe: FacilitatorServiceOptions['observe']): Dispatch {
  return async (exchange, path, entry) => {
    const started = performance.now();
    const event: ServiceRequestEvent = {
      endpoint: entry?.endpoint,
      method: exchange.method,
      path,
      status: 0,
      durationMs: 0,
      startedAt: Date.now(),
    };
    let reply: ServiceReply;
    try {
      reply = entry ? await entry.answer({ exchange, path, event }) : notFoundReply(path);
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
  };
}

/** `GET /supported`, its JSON kept while the engine answers the same object. */
function supportedAnswer(facilitator: FacilitatorServiceOptions['facilitator']): Answer {
  let source: SupportedResponse | undefined;
  let json = '';
  return async () => {
    const value = await facilitator.supported();
    if (value !== source) {
      source = value;
      json = JSON.stringify(value);
    }
    return jsonReply(200, json);
  };
}

/** The 405 of a fixed endpoint's path for any other method, naming the right one in `Allow`. */
function methodNotAllowed(entry: FixedEntry): ServiceRouteEntry {
  return {
    method: 'ALL',
    path: entry.path,
    endpoint: entry.endpoint,
    async answer(call) {
      const reply = errorReply(
        405,
        ServiceReasons.methodNotAllowed,
        `${call.path} accepts ${entry.method}, not ${call.exchange.method}`,
      );
      reply.headers.allow = entry.method === 'GET' ? 'GET, HEAD' : entry.method;
      return reply;
    },
  };
}

function notFoundReply(path: string): ServiceReply {
  return errorReply(
    404,
    ServiceReasons.notFound,
    `no endpoint at ${path}; this facilitator serves POST /verify, POST /settle, GET /supported and GET /health`,
  );
}
