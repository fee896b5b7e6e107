/**
 * Serves a {@link FacilitatorService} on Node's `http` module directly: the body is read into a
 * Buffer (bytes are counted as they arrive and reading stops at the limit), headers are read from
 * `IncomingMessage` as they are, and no `Request`/`Response` objects are built per request.
 * Keep-alive connections are kept for 65 s so benchmark and resource-server clients reuse them.
 *
 * It calls the service's transport-neutral `handle`, which routes with hono's router: measured on
 * `/verify` at c=32, this thin adapter serves more requests than `@hono/node-server` over the
 * service's `fetch` (which builds a `Request` and a `Response` per call), so it stays. Anything that
 * speaks Web-standard `fetch` (Bun, Deno, `@hono/node-server`, a parent hono app) can serve
 * `service.fetch` instead.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Reasons, X402Error } from '@x402kit/core';
import { FacilitatorReasons } from './facilitator-reasons.js';
import { createEmitter, type Emit, type Log } from './log.js';
import { ServiceReasons } from './service-reasons.js';
import type { FacilitatorService, HeaderReader, ServiceExchange, ServiceReply } from './service-types.js';

/** Options of `startFacilitatorServer`. */
export type StartFacilitatorServerOptions = {
  service: FacilitatorService;
  /** TCP port; `0` picks a free one (read it from the result). */
  port: number;
  /** Interface to bind; default `127.0.0.1` (use `0.0.0.0` to accept remote connections). */
  host?: string;
  /** How long `close()` waits for requests in flight (a settlement waiting for its receipt); default 30 000 ms. */
  closeTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this; default 65 000 ms. */
  keepAliveTimeoutMs?: number;
  log?: Log;
};

/** What `startFacilitatorServer` returns. */
export type FacilitatorServer = {
  /** Base URL, e.g. `http://127.0.0.1:4022`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Stop accepting connections, let requests in flight finish (up to `closeTimeoutMs`), then close. Safe to call twice. */
  close(): Promise<void>;
};

/** Bytes still accepted and thrown away after a 413, so the client can read the answer; then the socket is cut. */
const DISCARD_LIMIT_BYTES = 1024 * 1024;

/**
 * Start an HTTP server for the service. Resolves once it is listening.
 *
 * @example
 * const server = await startFacilitatorServer({ service, port: 4022 })
 * console.log(`Facilitator listening on ${server.url}`)
 * // later: await server.close()
 */
export async function startFacilitatorServer(
  options: StartFacilitatorServerOptions,
): Promise<FacilitatorServer> {
  const { service } = options;
  const host = options.host ?? '127.0.0.1';
  const closeTimeoutMs = options.closeTimeoutMs ?? 30_000;
  const emit = createEmitter(options.log);
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const server = createServer({ noDelay: true }, (req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    service.handle(exchangeOf(req)).then(
      (reply) => send(req, res, reply),
      (error: unknown) => {
        // `handle` answers every failure itself; this is a last resort.
        emit('error', 'facilitator service failed', { error: String(error) });
        send(req, res, {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ error: ServiceReasons.unexpectedError, message: 'unexpected error' }),
        });
      },
    );
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
  server.headersTimeout = server.keepAliveTimeout + 1000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({
      error: ServiceReasons.invalidRequestBody,
      message: `malformed HTTP request (${error.code ?? error.message})`,
    });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  await listen(server, options.port, host);
  server.on('error', (error) => emit('error', 'facilitator server error', { error: String(error) }));

  const { port } = boundAddress(server.address());
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    host,
    close: closer(
      server,
      closeTimeoutMs,
      () => inFlight,
      (done) => (drained = done),
      emit,
    ),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new X402Error(
          FacilitatorReasons.listen,
          `cannot listen on ${host}:${port}: ${error.code === 'EADDRINUSE' ? 'the port is already in use' : error.message}`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * `close()`: stop accepting connections, close idle ones, let requests in flight finish (up to
 * `closeTimeoutMs`), then cut what is left. Safe to call twice.
 */
function closer(
  server: Server,
  closeTimeoutMs: number,
  inFlight: () => number,
  onDrained: (done: () => void) => void,
  emit: Emit,
): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      const finish = () => {
        clearTimeout(timer);
        server.closeAllConnections();
      };
      const timer = setTimeout(() => {
        if (inFlight() > 0) emit('warn', `closing with ${inFlight()} request(s) still in flight`);
        finish();
      }, closeTimeoutMs);
      timer.unref();
      if (inFlight() === 0) finish();
      else onDrained(finish);
    });
    return closing;
  };
}

function exchangeOf(req: IncomingMessage): ServiceExchange {
  const headers: HeaderReader = {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
  return {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    ...(req.socket.remoteAddress === undefined ? {} : { remoteAddress: req.socket.remoteAddress }),
    readBody: (limit) => readBody(req, limit),
  };
}

/** The body as one Buffer, or `undefined` as soon as it exceeds `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        discardRest(req);
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, total));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(
        new X402Error(
          ServiceReasons.invalidRequestBody,
          'the client closed the connection before sending the whole body',
        ),
      );
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * After a 413 the answer is sent with `connection: close`. The rest of the body is read and
 * dropped (up to a cap) so the client is not reset before it reads the answer; a client that
 * keeps sending past the cap is disconnected.
 */
function discardRest(req: IncomingMessage): void {
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMIT_BYTES) req.socket.destroy();
  });
  req.on('error', () => {});
}

function send(req: IncomingMessage, res: ServerResponse, reply: ServiceReply): void {
  if (res.headersSent || res.destroyed) return;
  const headers = reply.headers;
  headers['content-length'] = String(Buffer.byteLength(reply.body));
  if (reply.closeConnection) headers.connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(req.method === 'HEAD' ? undefined : reply.body);
}

function boundAddress(address: AddressInfo | string | null): AddressInfo {
  if (address === null || typeof address === 'string')
    throw new X402Error(Reasons.internalError, 'the server is not listening on TCP');
  return address;
}
