/** W3C Trace Context: the `traceparent` header, read by OpenTelemetry's W3C propagator. */
import { randomBytes } from 'node:crypto';
import {
  type Context,
  defaultTextMapGetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** The parent a request names: its trace and the caller's span. */
export type TraceParent = { traceId: string; parentSpanId: string };

const propagator = new W3CTraceContextPropagator();

/**
 * The context a request's spans start in: the caller's span when its `traceparent` header is valid,
 * else the root (then a new trace starts), as the W3C spec asks.
 *
 * @example
 * tracer.startSpan('x402.verify', {}, traceparentContext(request.headers.get('traceparent')))
 */
export function traceparentContext(header: string | null | undefined): Context {
  if (!header) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, { traceparent: header.trim().toLowerCase() }, defaultTextMapGetter);
}

/**
 * Read a `traceparent` header (version 00, or a later one read as 00); `undefined` when absent or
 * malformed (then a new trace starts), as the W3C spec asks.
 *
 * @example parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
 * // { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7' }
 */
export function parseTraceparent(header: string | null | undefined): TraceParent | undefined {
  const parent = trace.getSpanContext(traceparentContext(header));
  if (!parent || !isSpanContextValid(parent)) return undefined;
  return { traceId: parent.traceId, parentSpanId: parent.spanId };
}

/**
 * A random id of `bytes` bytes as lower-case hex (16 for a trace id, 8 for a span id).
 *
 * @example randomId(8) // '00f067aa0ba902b7'
 */
export function randomId(bytes: 8 | 16): string {
  return randomBytes(bytes).toString('hex');
}
