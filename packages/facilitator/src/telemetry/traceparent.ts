/** W3C Trace Context: the `traceparent` header, and fresh trace and span ids. */
import { randomBytes } from 'node:crypto';

/** The parent a request names: its trace and the caller's span. */
export type TraceParent = { traceId: string; parentSpanId: string };

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/**
 * Read a `traceparent` header (version 00, or a later one read as 00); `undefined` when absent or
 * malformed (then a new trace starts), as the W3C spec asks.
 *
 * @example parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
 * // { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7' }
 */
export function parseTraceparent(header: string | null | undefined): TraceParent | undefined {
  if (!header) return undefined;
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!match) return undefined;
  const [, version, traceId, parentSpanId] = match;
  if (version === 'ff' || !traceId || !parentSpanId) return undefined;
  if (version === '00' && header.trim().length !== 55) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentSpanId)) return undefined;
  return { traceId, parentSpanId };
}

/**
 * A random id of `bytes` bytes as lower-case hex (16 for a trace id, 8 for a span id).
 *
 * @example randomId(8) // '00f067aa0ba902b7'
 */
export function randomId(bytes: 8 | 16): string {
  return randomBytes(bytes).toString('hex');
}
