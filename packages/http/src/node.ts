/**
 * Node `http` adapter: IncomingMessage -> Web `Request`, Web `Response` -> ServerResponse, a
 * connect-style payment middleware for plain Node servers, and `serve()` for tests and tools.
 */
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createEmitter, type Log, Reasons, X402Error } from '@x402kit/core';
import {
  captureResponse,
  type ResponseCapture,
  resetHeaders,
  snapshotHeaders,
  writeBufferedResponse,
  writePaymentReply,
} from './node-capture.js';
import type { PaymentHandler, PaymentRequestInput } from './server.js';

/** Where a request came from, which a Web `Request` does not carry (for `X-Forwarded-*`, logs). */
export type RequestClient = {
  /** The client's IP address. */
  address?: string;
  /** `http` or `https`: how the client reached this server. */
  protocol?: string;
};

/** A Web-standard request handler; Node adapters pass the {@link RequestClient} too. */
export type FetchHandler = (request: Request, client?: RequestClient) => Response | Promise<Response>;

/** A Node request listener, usable with `http.createServer`. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** A connect-style middleware (`next()` runs the rest of the app, `next(error)` reports a failure). */
export type NodeMiddleware<R extends IncomingMessage = IncomingMessage> = (
  req: R,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** Options of {@link toWebRequest}. */
export type ToWebRequestOptions = {
  /** Absolute URL; default `http(s)://<Host><req.url>`. */
  url?: string;
  /** A body to use instead of the request stream (e.g. one a body parser already read). */
  body?: BodyInit | null;
  signal?: AbortSignal;
};

/**
 * The absolute URL of a Node request: `https` when the socket is TLS, the `Host` header
 * (default `localhost`), then `req.url` (absolute-form targets are kept as they are).
 *
 * @example
 * requestUrl(req) // 'http://127.0.0.1:4021/weather?city=Paris'
 */
export function requestUrl(req: IncomingMessage): string {
  const target = req.url ?? '/';
  if (/^https?:\/\//i.test(target)) return target;
  const secure = 'encrypted' in req.socket && req.socket.encrypted === true;
  const host = req.headers.host ?? 'localhost';
  return `${secure ? 'https' : 'http'}://${host}${target.startsWith('/') ? target : `/${target}`}`;
}

/**
 * Convert a Node request into a Web `Request`. The body is streamed from `req` lazily: nothing
 * is read until someone reads the Request's body (and then `req` is consumed).
 *
 * @example
 * const request = toWebRequest(req);
 * const json = await request.json();
 */
export function toWebRequest(req: IncomingMessage, options: ToWebRequestOptions = {}): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (options.signal) init.signal = options.signal;
  if (method !== 'GET' && method !== 'HEAD') {
    if (options.body !== undefined) {
      headers.delete('content-length');
      headers.delete('transfer-encoding');
      init.body = options.body;
    } else if (hasBody(req)) {
      init.body = lazyBody(req);
      init.duplex = 'half';
    }
  }
  return new Request(options.url ?? requestUrl(req), init);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function lazyBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<unknown> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= req[Symbol.asyncIterator]();
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else if (value instanceof Uint8Array) controller.enqueue(value);
        else if (typeof value === 'string') controller.enqueue(Buffer.from(value));
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Write a Web `Response` to a Node response, streaming its body with backpressure.
 *
 * @example
 * await writeWebResponse(res, new Response('hi', { status: 200 }));
 */
export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch (error) {
    await reader.cancel().catch(() => {});
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Serve a Web handler with Node's `http` module.
 *
 * @example
 * http.createServer(toNodeHandler((request) => payments.handle(request, app))).listen(4021);
 */
export function toNodeHandler(handler: FetchHandler, options: { log?: Log } = {}): NodeListener {
  const emit = createEmitter(options.log);
  return (req, res) => {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    let request: Request;
    try {
      request = toWebRequest(req, { signal: controller.signal });
    } catch (error) {
      emit('warn', `unreadable request: ${error instanceof Error ? error.message : String(error)}`);
      res.statusCode = 400;
      res.end();
      return;
    }
    const secure = 'encrypted' in req.socket && req.socket.encrypted === true;
    const client: RequestClient = { protocol: secure ? 'https' : 'http' };
    if (req.socket.remoteAddress !== undefined) client.address = req.socket.remoteAddress;
    Promise.resolve()
      .then(() => handler(request, client))
      .then((response) => writeWebResponse(res, response))
      .catch((error: unknown) => {
        emit('error', `request handler failed: ${error instanceof Error ? error.message : String(error)}`);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json');
        res.end('{"error":"internal_error"}');
      });
  };
}

/** Options of {@link serve}. */
export type ServeOptions = ListenOptions & { log?: Log };

/** Options of {@link listen}. */
export type ListenOptions = {
  /** Default: a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Node's cap on all request headers together, in bytes; default Node's (16 KiB). */
  maxHeaderSize?: number;
};

/** A running server from {@link serve}. */
export type Served = { url: string; port: number; server: Server; close(): Promise<void> };

/**
 * Listen with a Web handler; resolves once the port is bound. Defaults: `127.0.0.1`, a free port.
 *
 * @example
 * const { url, close } = await serve((request) => payments.handle(request, app));
 * await fetch(`${url}/weather`);
 * await close();
 */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<Served> {
  return listen(toNodeHandler(handler, options.log ? { log: options.log } : {}), options);
}

/**
 * Listen with a Node request listener (an Express app, a {@link NodeMiddleware} chain...).
 *
 * @example
 * const { url, close } = await listen(expressApp);
 */
export async function listen(listener: NodeListener, options: ListenOptions = {}): Promise<Served> {
  const server = createServer(
    options.maxHeaderSize === undefined ? {} : { maxHeaderSize: options.maxHeaderSize },
    listener,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new X402Error(Reasons.internalError, `unexpected server address ${String(address)}`);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Options of {@link createNodeMiddleware}; adapters (Express) override how a request is read. */
export type NodeMiddlewareOptions<R extends IncomingMessage = IncomingMessage> = {
  /** Target used for route matching; default `req.url`. */
  target?: (req: R) => string;
  /** Absolute URL (default resource URL); default {@link requestUrl}. */
  url?: (req: R) => string;
  /** Builds the Web request for route functions, on first use; default {@link toWebRequest}. */
  request?: (req: R) => Request;
};

/**
 * Payment middleware for plain Node servers (and connect-style stacks): unprotected requests go
 * straight to `next()`; for paid ones the response written downstream is held until the
 * payment settles. Reading `ctx.request`'s body in a route function consumes the request
 * stream, so read it from the handler instead, or parse it before this middleware.
 *
 * @example
 * const payments = createPaymentHandler({ routes, server });
 * const pay = createNodeMiddleware(payments);
 * http.createServer((req, res) => pay(req, res, (err) => (err ? fail(res, err) : app(req, res)))).listen(4021);
 */
export function createNodeMiddleware<R extends IncomingMessage = IncomingMessage>(
  handler: PaymentHandler,
  options: NodeMiddlewareOptions<R> = {},
): NodeMiddleware<R> {
  const targetOf = options.target ?? ((req: R) => req.url ?? '/');
  const urlOf = options.url ?? requestUrl;
  const requestOf = options.request ?? ((req: R) => toWebRequest(req));

  return (req, res, next) => {
    const method = req.method ?? 'GET';
    const target = targetOf(req);
    const lookup = handler.match(method, target);
    if (lookup.type === 'unprotected') {
      next();
      return;
    }
    let request: Request | undefined;
    let url: string | undefined;
    const input: PaymentRequestInput = {
      method,
      target,
      get url() {
        url ??= urlOf(req);
        return url;
      },
      header: (name) => headerValue(req.headers[name]),
      get request() {
        request ??= requestOf(req);
        return request;
      },
    };
    let capture: ResponseCapture | undefined;
    let before: OutgoingHttpHeaders = {};
    const run = () => {
      before = snapshotHeaders(res);
      capture = captureResponse(res);
      next();
      return capture.done;
    };
    handler.processRequest(input, run, lookup).then(
      (result) => {
        capture?.release();
        if (result.type === 'unprotected') next();
        else if (result.type === 'response') writeBufferedResponse(res, result.response);
        else {
          if (capture) resetHeaders(res, before);
          writePaymentReply(res, result.reply);
        }
      },
      (error: unknown) => {
        capture?.release();
        next(error);
      },
    );
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
