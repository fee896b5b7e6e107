/**
 * How the gateway answers one request, whatever its IO (Node listener or Web `handle`): a free route
 * is proxied (or refused), a paid one goes through the payment core with the upstream call as its
 * handler; a long upstream answer is held only up to `holdBodyBytes` and its tail streamed after.
 */
import type { Readable } from 'node:stream';
import type { Emit } from '@x402kit/core';
import type { BufferedResponse, PaymentReply } from '../buffered-response.js';
import type { RequestClient } from '../node.js';
import type { PaymentHandler, PaymentRequestInput } from '../server.js';
import { type GatewayConfig, GatewayReasons } from './gateway-config.js';
import { type Forwarder, isUpstreamFailure, type ProxyRequest, type UpstreamAnswer } from './proxy.js';

/** The config in force, with the payment core and the forwarder built from it. */
export type GatewayState = {
  config: GatewayConfig;
  payments: PaymentHandler;
  forwarder: Forwarder;
  holdBytes: number;
};

/** What one paid request's upstream call left behind: its response to the core, its unread tail. */
type Forwarded = { response: BufferedResponse; cancel(): void };

/** An answer's body still to send: the chunks already read, then the rest of the upstream's stream. */
export type Tail = { head: Uint8Array[]; body: Readable; iterator?: AsyncIterator<unknown> };

/** What one request gets: the core's reply, an answer held whole, or an answer whose body streams. */
export type Outcome =
  | { type: 'reply'; reply: PaymentReply }
  | { type: 'held'; response: BufferedResponse }
  | { type: 'stream'; head: BufferedResponse; tail: Tail };

/** Headers of the gateway's own JSON errors. */
export const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/**
 * One request, whatever its IO: the core's reply, the held answer, or the upstream's answer to
 * stream. `proxied` builds the request to forward (only once it is needed).
 *
 * @example
 * const outcome = await answerRequest(state, emit, webRequestInput(request), () => proxyRequestOfWeb(request), {})
 */
export async function answerRequest(
  current: GatewayState,
  emit: Emit,
  input: PaymentRequestInput,
  proxied: () => ProxyRequest,
  client: RequestClient,
): Promise<Outcome> {
  const lookup = current.payments.match(input.method, input.target);
  if (lookup.type === 'unprotected') return unlisted(current, emit, proxied(), client);
  let forwarded: Forwarded | undefined;
  const run = async () => {
    forwarded = await callUpstream(current, emit, proxied(), client);
    return forwarded.response;
  };
  const result = await current.payments.processRequest(input, run, lookup);
  if (result.type === 'unprotected') return unlisted(current, emit, proxied(), client);
  if (result.type === 'reply') {
    // 202: the settlement is pending; the held answer (and its tail) goes to the retry
    if (result.reply.status !== 202) forwarded?.cancel();
    return { type: 'reply', reply: result.reply };
  }
  if (forwarded && forwarded.response !== result.response) forwarded.cancel();
  const tail = tails.get(result.response);
  if (!tail) return { type: 'held', response: result.response };
  tails.delete(result.response);
  return { type: 'stream', head: result.response, tail };
}

/** A request no paid route serves: refused (404), or proxied free with its answer streamed. */
async function unlisted(
  current: GatewayState,
  emit: Emit,
  request: ProxyRequest,
  client: RequestClient,
): Promise<Outcome> {
  if (current.config.unlistedRoutes === 'refuse') {
    request.body?.resume();
    return failure(404, GatewayReasons.notFound, 'no route of this gateway serves this request');
  }
  const upstream = await current.forwarder.forward(request, client);
  if (isUpstreamFailure(upstream)) {
    emit('warn', `free request not forwarded: ${upstream.message}`, { target: request.url });
    return failure(upstream.kind === 'upstream_timeout' ? 504 : 502, upstream.kind, upstream.message);
  }
  const { status, statusText, headers, body } = upstream;
  const head: BufferedResponse = { status, statusText, headers, body: null };
  return body === null
    ? { type: 'held', response: head }
    : { type: 'stream', head, tail: { head: [], body } };
}

/** A paid request's upstream call, the core's handler: an upstream failure or 5xx is not settled. */
async function callUpstream(
  current: GatewayState,
  emit: Emit,
  request: ProxyRequest,
  client: RequestClient,
): Promise<Forwarded> {
  const upstream = await current.forwarder.forward(request, client);
  if (isUpstreamFailure(upstream)) {
    emit('warn', `paid request not forwarded, payment not settled: ${upstream.message}`, {
      target: request.url,
    });
    const status = upstream.kind === 'upstream_timeout' ? 504 : 502;
    return unsettled(status, upstream.kind, `${upstream.message}; the payment was not settled`);
  }
  if (upstream.status >= 500) {
    upstream.body?.resume();
    emit('warn', `upstream answered ${upstream.status}; payment not settled`, { target: request.url });
    return unsettled(
      502,
      GatewayReasons.upstreamError,
      `the upstream answered ${upstream.status}; the payment was not settled`,
    );
  }
  return hold(upstream, upstream.status >= 400 ? Number.POSITIVE_INFINITY : current.holdBytes);
}

/** Streamed tails of paid answers too long to hold, by the held response the core hands back. */
const tails = new WeakMap<BufferedResponse, Tail>();

/** A gateway error the core passes on without settling (its status is >= 400). */
function unsettled(status: number, error: string, message: string): Forwarded {
  const body = new TextEncoder().encode(JSON.stringify({ error, message }));
  return { response: { status, statusText: '', headers: new Headers(JSON_HEADERS), body }, cancel() {} };
}

/** Read up to `limit` bytes: the whole answer, or its start with the rest left to stream. */
async function hold(answer: UpstreamAnswer, limit: number): Promise<Forwarded> {
  const { status, statusText, headers, body } = answer;
  if (body === null) return { response: { status, statusText, headers, body: null }, cancel() {} };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<unknown>;
    try {
      next = await iterator.next();
    } catch (error) {
      const message = `the upstream's answer broke off: ${error instanceof Error ? error.message : String(error)}; the payment was not settled`;
      return unsettled(502, GatewayReasons.upstreamError, message);
    }
    if (next.done) {
      const whole = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        whole.set(chunk, at);
        at += chunk.length;
      }
      return { response: { status, statusText, headers, body: whole }, cancel() {} };
    }
    const chunk = next.value as Uint8Array;
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) break;
  }
  const response: BufferedResponse = { status, statusText, headers, body: null };
  tails.set(response, { head: chunks, body, iterator });
  return { response, cancel: () => body.destroy() };
}

/** The gateway's own JSON error answer (no payment involved). */
function failure(status: number, error: string, message: string): Outcome {
  return {
    type: 'reply',
    reply: { status, headers: JSON_HEADERS, body: JSON.stringify({ error, message }) },
  };
}
