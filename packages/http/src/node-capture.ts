/**
 * Holding a Node `ServerResponse` back: while captured, `writeHead`, `write`, `end` and
 * `flushHeaders` record into memory instead of reaching the socket, so the payment core can
 * decide (settle, or withhold the output) before a byte is sent. Shared by the Node and
 * Express adapters; frameworks that write through `res.json`, `res.send`, `pipe` or
 * `res.sendFile` all end up in these four methods.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { BufferedResponse, PaymentReply } from './buffered-response.js';
import { mergeExposeHeaders } from './response-headers.js';

/** A response being held; see {@link captureResponse}. */
export type ResponseCapture = {
  /** Resolves with the held response once the handler calls `end()`. */
  done: Promise<BufferedResponse>;
  /** Give the response its own methods back; later writes reach the socket. */
  release(): void;
};

const CAPTURED = ['writeHead', 'write', 'end', 'flushHeaders'] as const;

/**
 * Start holding `res`. Headers set with `setHeader` stay on `res` (nothing is sent yet); the
 * body is kept in memory.
 *
 * @example
 * const capture = captureResponse(res);
 * next();
 * const held = await capture.done;
 * capture.release();
 * writeBufferedResponse(res, held);
 */
export function captureResponse(res: ServerResponse): ResponseCapture {
  const saved = CAPTURED.map((name) => [name, Object.getOwnPropertyDescriptor(res, name)] as const);
  const chunks: Uint8Array[] = [];
  let wrote = false;
  let finish: (held: BufferedResponse) => void = () => {};
  const done = new Promise<BufferedResponse>((resolve) => {
    finish = resolve;
  });
  let ended = false;

  const push = (chunk: unknown, encoding: unknown): void => {
    if (chunk === undefined || chunk === null) return;
    wrote = true;
    if (typeof chunk === 'string')
      chunks.push(
        Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8'),
      );
    else if (chunk instanceof Uint8Array) chunks.push(chunk);
  };
  const later = (cb: unknown): void => {
    if (typeof cb === 'function') process.nextTick(() => cb());
  };

  Object.assign(res, {
    writeHead(statusCode: number, reasonOrHeaders?: unknown, maybeHeaders?: unknown) {
      res.statusCode = statusCode;
      let headers = maybeHeaders;
      if (typeof reasonOrHeaders === 'string') res.statusMessage = reasonOrHeaders;
      else headers = reasonOrHeaders;
      applyHeaders(res, headers);
      return res;
    },
    write(chunk: unknown, encoding?: unknown, cb?: unknown) {
      push(chunk, encoding);
      later(typeof encoding === 'function' ? encoding : cb);
      return true;
    },
    end(chunk?: unknown, encoding?: unknown, cb?: unknown) {
      if (typeof chunk === 'function') {
        later(chunk);
      } else {
        push(chunk, encoding);
        later(typeof encoding === 'function' ? encoding : cb);
      }
      if (!ended) {
        ended = true;
        finish(snapshot(res, wrote ? Buffer.concat(chunks) : null));
      }
      return res;
    },
    flushHeaders() {},
  });

  return {
    done,
    release() {
      for (const [name, descriptor] of saved) {
        if (descriptor) Object.defineProperty(res, name, descriptor);
        else Reflect.deleteProperty(res, name);
      }
    },
  };
}

function applyHeaders(res: ServerResponse, headers: unknown): void {
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers)
        if (Array.isArray(pair) && pair.length >= 2) res.setHeader(String(pair[0]), String(pair[1]));
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2)
        res.setHeader(String(headers[i]), String(headers[i + 1]));
    }
  } else if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      res.setHeader(name, Array.isArray(value) ? value.map(String) : String(value));
    }
  }
}

function snapshot(res: ServerResponse, body: Uint8Array<ArrayBuffer> | null): BufferedResponse {
  const headers = new Headers();
  for (const name of res.getHeaderNames()) {
    const value = res.getHeader(name);
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, String(value));
  }
  return { status: res.statusCode, statusText: res.statusMessage ?? '', headers, body };
}

/**
 * The headers on `res` right now, to restore with {@link resetHeaders}.
 *
 * @example
 * const before = snapshotHeaders(res);
 */
export function snapshotHeaders(res: ServerResponse): OutgoingHttpHeaders {
  return { ...res.getHeaders() };
}

/**
 * Replace every header on `res` with `headers`.
 *
 * @example
 * resetHeaders(res, before); // drop what a handler set
 */
export function resetHeaders(res: ServerResponse, headers: OutgoingHttpHeaders): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
}

/**
 * Write a held response to `res` (which must be released), replacing any headers on it.
 *
 * @example
 * writeBufferedResponse(res, held);
 */
export function writeBufferedResponse(res: ServerResponse, held: BufferedResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.statusCode = held.status;
  res.statusMessage = held.statusText;
  held.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = held.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (held.body === null) res.end();
  else res.end(held.body);
}

/**
 * Write one of the core's own replies to `res`, keeping headers already on it (CORS set by an
 * earlier middleware) and merging `Access-Control-Expose-Headers`.
 *
 * @example
 * writePaymentReply(res, result.reply);
 */
export function writePaymentReply(res: ServerResponse, reply: PaymentReply): void {
  res.statusCode = reply.status;
  res.statusMessage = ''; // Node fills in the standard text
  for (const [name, value] of Object.entries(reply.headers)) {
    if (name.toLowerCase() === 'access-control-expose-headers') {
      const existing = res.getHeader(name);
      res.setHeader(name, mergeExposeHeaders(existing === undefined ? undefined : String(existing)));
    } else {
      res.setHeader(name, value);
    }
  }
  res.end(reply.body);
}
