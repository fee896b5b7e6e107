/**
 * The gateway: the payment core (`createPaymentHandler`) in front of a reverse proxy. A paid route's
 * "handler" is the upstream call: verify, forward, settle only when the upstream answered with a
 * success status, then send the upstream's answer with `PAYMENT-RESPONSE`. Unlisted routes are
 * proxied free (or refused). The config is swapped whole on `reload`.
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createEmitter,
  createHttpFacilitatorClient,
  createResourceServer,
  type Emit,
  type Log,
  type ServerSchemeRegistration,
} from '@x402kit/core';
import { toWebResponse } from '../buffered-response.js';
import { type NodeListener, type RequestClient, requestUrl, toWebRequest } from '../node.js';
import { writeBufferedResponse, writePaymentReply } from '../node-capture.js';
import {
  createPaymentHandler,
  type PaymentHandlerOptions,
  type PaymentRequestInput,
  webRequestInput,
} from '../server.js';
import { answerRequest, type GatewayState, JSON_HEADERS, type Outcome, type Tail } from './gateway-answer.js';
import { checkGatewayConfig, type GatewayConfig } from './gateway-config.js';
import { createForwarder, proxyRequestOfNode, proxyRequestOfWeb } from './proxy.js';

/** Options of {@link createGateway}. */
export type GatewayOptions = {
  config: GatewayConfig;
  /** The scheme servers the routes' prices need (`exact` on `eip155:*`, ...). */
  schemes: ServerSchemeRegistration[];
  /** Options of the payment core other than routes, server and log. */
  payments?: Omit<PaymentHandlerOptions, 'routes' | 'server' | 'log'>;
  log?: Log;
};

/** A running gateway's request handling; see {@link createGateway}. */
export type Gateway = {
  /** The config in force. */
  readonly config: GatewayConfig;
  /** Web-standard handler; `client` fills `X-Forwarded-For` / `-Proto`. */
  handle(request: Request, client?: RequestClient): Promise<Response>;
  /** Node request listener over {@link Gateway.handle}. */
  readonly listener: NodeListener;
  /**
   * Swap the config for new requests (requests in flight finish under the old one). Throws an
   * `X402Error` (`invalid_gateway_config`, `invalid_route_config`) and keeps the old config when the
   * new one is invalid.
   */
  reload(config: GatewayConfig): void;
  /**
   * Resolves once the config in force can be sold: the facilitator answered `/supported` and
   * serves every route's scheme and network (throws `missing_facilitator` naming the route, or
   * `facilitator_unavailable`), and the fixed prices resolve. Call it before listening, as the
   * middleware's `ready()`; without it such a route answers 503.
   */
  ready(): Promise<void>;
  /** Drop the upstream connections kept alive. */
  close(): void;
};

/**
 * Put an HTTP API behind x402 without touching it. Paid routes answer 402 like the middleware;
 * a paid request is verified, forwarded, and settled only when the upstream answered below 400:
 * an upstream 5xx becomes 502 (`upstream_error`), no answer 502 (`upstream_unreachable`) or 504
 * (`upstream_timeout`), a 4xx goes back as it is, all without settling. One payment buys one
 * upstream call (a replay, even concurrent, gets 402 `duplicate_settlement`).
 *
 * @example
 * const gateway = createGateway({
 *   config: {
 *     upstream: 'http://127.0.0.1:3000',
 *     facilitator: { url: 'http://127.0.0.1:4022' },
 *     routes: { 'GET /weather': { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' } } },
 *   },
 *   schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
 * });
 * http.createServer(gateway.listener).listen(4021);
 */
export function createGateway(options: GatewayOptions): Gateway {
  const emit = createEmitter(options.log);
  let state = build(options, options.config, undefined);

  async function handle(request: Request, client: RequestClient = {}): Promise<Response> {
    const outcome = await answerRequest(
      state,
      emit,
      webRequestInput(request),
      () => proxyRequestOfWeb(request),
      client,
    );
    if (outcome.type === 'reply') return toWebResponse(outcome.reply);
    if (outcome.type === 'held') return toWebResponse(outcome.response);
    const { status, statusText, headers } = outcome.head;
    return new Response(webStreamOf(outcome.tail), { status, statusText, headers });
  }

  return {
    get config() {
      return state.config;
    },
    handle,
    listener: createNodeListener(() => state, emit),
    ready: () => state.payments.ready(),
    reload(config) {
      state = build(options, config, state);
      emit('info', `config reloaded: ${Object.keys(config.routes).length} paid route(s)`);
    },
    close() {
      state.forwarder.close();
    },
  };
}

/**
 * The Node front: no Web `Request` unless a route function asks for one, bodies piped. `current`
 * gives the state in force when a request comes.
 */
function createNodeListener(current: () => GatewayState, emit: Emit): NodeListener {
  return (req, res) => {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const secure = 'encrypted' in req.socket && req.socket.encrypted === true;
    const client: RequestClient = { protocol: secure ? 'https' : 'http' };
    if (req.socket.remoteAddress !== undefined) client.address = req.socket.remoteAddress;
    let url: string | undefined;
    let request: Request | undefined;
    const input: PaymentRequestInput = {
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      get url() {
        url ??= requestUrl(req);
        return url;
      },
      header: (name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      get request() {
        request ??= toWebRequest(req, { signal: controller.signal });
        return request;
      },
    };
    answerRequest(current(), emit, input, () => proxyRequestOfNode(req, input.url, controller.signal), client)
      .then((outcome) => writeOutcome(res, outcome))
      .catch((error: unknown) => {
        emit('error', `gateway request failed: ${error instanceof Error ? error.message : String(error)}`);
        if (res.headersSent) res.destroy();
        else
          writePaymentReply(res, { status: 500, headers: JSON_HEADERS, body: '{"error":"internal_error"}' });
      });
  };
}

function build(
  options: GatewayOptions,
  config: GatewayConfig,
  previous: GatewayState | undefined,
): GatewayState {
  checkGatewayConfig(config);
  const facilitator = createHttpFacilitatorClient({
    url: config.facilitator.url,
    ...(config.facilitator.apiKey === undefined ? {} : { apiKey: config.facilitator.apiKey }),
    ...(config.facilitator.bearerToken === undefined ? {} : { bearerToken: config.facilitator.bearerToken }),
  });
  const server = createResourceServer({ facilitators: facilitator, schemes: options.schemes });
  const payments = createPaymentHandler({
    ...options.payments,
    routes: config.routes,
    server,
    ...(options.log ? { log: options.log } : {}),
  });
  const upstream = new URL(config.upstream);
  const timeoutMs = config.upstreamTimeoutMs ?? 30_000;
  const same =
    previous &&
    previous.forwarder.upstream.href === upstream.href &&
    previous.config.upstreamTimeoutMs === config.upstreamTimeoutMs;
  if (previous && !same) {
    // requests in flight keep the old connections; they go once idle
    const old = previous.forwarder;
    setTimeout(() => old.close(), timeoutMs + 1_000).unref();
  }
  return {
    config,
    payments,
    forwarder: same ? previous.forwarder : createForwarder(upstream, timeoutMs),
    holdBytes: config.holdBodyBytes ?? 1024 * 1024,
  };
}

/** The chunks of a tail: those already read, then the rest of the body. */
async function* chunksOf(tail: Tail): AsyncGenerator<Uint8Array> {
  yield* tail.head;
  const iterator = tail.iterator ?? tail.body[Symbol.asyncIterator]();
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) return;
    yield value as Uint8Array;
  }
}

/** A tail as a Web stream, pulled on demand (backpressure reaches the upstream). */
function webStreamOf(tail: Tail): ReadableStream<Uint8Array> {
  const chunks = chunksOf(tail);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel() {
        tail.body.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Write an outcome to a Node response; a streamed body is piped with backpressure. */
function writeOutcome(res: ServerResponse, outcome: Outcome): void {
  if (outcome.type === 'reply') {
    writePaymentReply(res, outcome.reply);
    return;
  }
  if (outcome.type === 'held') {
    writeBufferedResponse(res, outcome.response);
    return;
  }
  const { status, statusText, headers } = outcome.head;
  res.statusCode = status;
  if (statusText) res.statusMessage = statusText;
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  const { tail } = outcome;
  const source =
    tail.head.length === 0 && tail.iterator === undefined ? tail.body : Readable.from(chunksOf(tail));
  pipeline(source, res).catch(() => {
    tail.body.destroy();
  });
}
