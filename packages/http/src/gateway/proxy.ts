/**
 * The gateway's reverse proxy: one Web `Request` forwarded to the upstream with Node's `http`
 * client (no decompression, keep-alive, bodies streamed both ways), hop-by-hop headers dropped and
 * `X-Forwarded-*` added. An upstream that cannot be reached or does not answer in time becomes a
 * {@link UpstreamFailure} the gateway turns into 502/504.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { RequestClient } from '../node.js';

/** Why the upstream gave no answer. */
export type UpstreamFailure = {
  /** `upstream_timeout` (no response headers in time) or `upstream_unreachable`. */
  kind: 'upstream_timeout' | 'upstream_unreachable';
  message: string;
};

/** The upstream's answer, its body not read yet. */
export type UpstreamAnswer = { status: number; statusText: string; headers: Headers; body: Readable | null };

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** The payment headers: the upstream never sees the buyer's signature. */
const PAYMENT_HEADERS = new Set(['payment-signature', 'x-payment']);

/** A request to forward: from a Web `Request` ({@link proxyRequestOfWeb}) or a Node one ({@link proxyRequestOfNode}). */
export type ProxyRequest = {
  method: string;
  /** The absolute URL the client asked for (its path and query are forwarded). */
  url: string;
  /** Header name (lower case) and value pairs, repeated names kept. */
  headers: Array<[string, string]>;
  body: Readable | null;
  signal?: AbortSignal;
};

/**
 * A Web `Request` to forward.
 *
 * @example
 * await forwarder.forward(proxyRequestOfWeb(request), client)
 */
export function proxyRequestOfWeb(request: Request): ProxyRequest {
  const headers: Array<[string, string]> = [];
  request.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  const body =
    request.body === null ? null : Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>);
  return { method: request.method, url: request.url, headers, body, signal: request.signal };
}

/**
 * A Node request to forward, its body streamed from `req` itself.
 *
 * @example
 * await forwarder.forward(proxyRequestOfNode(req, requestUrl(req)), client)
 */
export function proxyRequestOfNode(req: IncomingMessage, url: string, signal?: AbortSignal): ProxyRequest {
  const headers: Array<[string, string]> = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  const method = req.method ?? 'GET';
  const length = req.headers['content-length'];
  const hasBody =
    method !== 'GET' &&
    method !== 'HEAD' &&
    (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0'));
  return { method, url, headers, body: hasBody ? req : null, ...(signal ? { signal } : {}) };
}

/** A forwarder to one upstream base URL, with its own keep-alive agent. */
export type Forwarder = {
  readonly upstream: URL;
  forward(request: ProxyRequest, client: RequestClient): Promise<UpstreamAnswer | UpstreamFailure>;
  close(): void;
};

/**
 * A forwarder to `upstream` (its path is a prefix: `http://api:3000/v1` + `/weather` ->
 * `/v1/weather`); `timeoutMs` bounds the wait for the upstream's response headers.
 *
 * @example
 * const proxy = createForwarder(new URL('http://127.0.0.1:3000'), 30_000)
 * const answer = await proxy.forward(request, { address: '127.0.0.1' })
 */
export function createForwarder(upstream: URL, timeoutMs: number): Forwarder {
  const secure = upstream.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  const prefix = upstream.pathname.replace(/\/+$/, '');

  function forward(request: ProxyRequest, client: RequestClient): Promise<UpstreamAnswer | UpstreamFailure> {
    const incoming = new URL(request.url);
    const headers = forwardedHeaders(request, incoming, client);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (value: UpstreamAnswer | UpstreamFailure) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      };
      const outgoing = send(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: `${prefix}${incoming.pathname}${incoming.search}`,
          headers,
          agent,
        },
        (res) => finish(answerOf(res, request.method)),
      );
      const timer = setTimeout(() => {
        finish({ kind: 'upstream_timeout', message: `the upstream did not answer within ${timeoutMs} ms` });
        outgoing.destroy();
      }, timeoutMs);
      outgoing.on('error', (error) => {
        finish({
          kind: 'upstream_unreachable',
          message: `the upstream could not be reached: ${error.message}`,
        });
      });
      request.signal?.addEventListener('abort', () => outgoing.destroy(), { once: true });
      if (request.body === null) {
        outgoing.end();
        return;
      }
      // the request body streams to the upstream with backpressure as the client sends it
      pipeline(request.body, outgoing).catch((error: unknown) => {
        outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  return { upstream, forward, close: () => agent.destroy() };
}

/** Is this a failure rather than an answer? */
export function isUpstreamFailure(value: UpstreamAnswer | UpstreamFailure): value is UpstreamFailure {
  return 'kind' in value;
}

function forwardedHeaders(
  request: ProxyRequest,
  incoming: URL,
  client: RequestClient,
): Record<string, string | string[]> {
  const get = (name: string) => request.headers.find(([n]) => n === name)?.[1];
  const named = connectionTokens(get('connection') ?? null);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of request.headers) {
    if (HOP_BY_HOP.has(name) || named.has(name) || PAYMENT_HEADERS.has(name)) continue;
    const prior = out[name];
    if (prior === undefined) out[name] = value;
    else out[name] = Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  const forwardedFor = out['x-forwarded-for'];
  const prior = Array.isArray(forwardedFor) ? forwardedFor.join(', ') : forwardedFor;
  if (client.address) out['x-forwarded-for'] = prior ? `${prior}, ${client.address}` : client.address;
  out['x-forwarded-host'] ??= incoming.host;
  out['x-forwarded-proto'] ??= client.protocol ?? incoming.protocol.replace(/:$/, '');
  return out;
}

function answerOf(res: IncomingMessage, method: string): UpstreamAnswer {
  const named = connectionTokens(headerText(res.headers.connection));
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || named.has(name)) continue;
    headers.append(name, raw[i + 1]!);
  }
  const status = res.statusCode ?? 502;
  const bodyless = method === 'HEAD' || status === 204 || status === 304;
  if (bodyless) res.resume();
  return { status, statusText: res.statusMessage ?? '', headers, body: bodyless ? null : res };
}

function connectionTokens(value: string | null): Set<string> {
  if (!value) return new Set();
  return new Set(value.split(',').map((token) => token.trim().toLowerCase()));
}

function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
