/**
 * Spans for the facilitator's verify and settle requests, built from the service's per-request
 * event (so tracing is one more `observe` hook): one server span per `/verify` or `/settle`, child
 * of the caller's W3C `traceparent` when it sent one, with `x402.scheme`, `x402.network`,
 * `x402.reason`, `x402.outcome`, `x402.payer` and `x402.transaction` attributes.
 */
import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ServiceRequestEvent } from '../service-types.js';
import type { OtlpExporter } from './otlp-exporter.js';
import { traceparentContext } from './traceparent.js';

/**
 * Create the `observe` hook that records a span per verify/settle request.
 *
 * @example
 * const exporter = createOtlpExporter({ endpoint: 'http://127.0.0.1:4318', serviceName: 'facilitator' })
 * createFacilitatorService({ facilitator, observe: createRequestTracer(exporter) })
 */
export function createRequestTracer(
  exporter: Pick<OtlpExporter, 'tracer'>,
): (event: ServiceRequestEvent) => void {
  const { tracer } = exporter;
  return function traceRequest(event) {
    if (event.endpoint !== 'verify' && event.endpoint !== 'settle') return;
    const endTimeMs = (event.startedAt ?? Date.now() - event.durationMs) + event.durationMs;
    const attributes: Attributes = {};
    for (const [key, value] of [
      ['http.request.method', event.method],
      ['url.path', event.path],
      ['http.response.status_code', event.status],
      ['x402.scheme', event.scheme],
      ['x402.network', event.network],
      ['x402.reason', event.reason],
      ['x402.outcome', event.outcome],
      ['x402.payer', event.payer],
      ['x402.transaction', event.transaction],
    ] as const) {
      if (value !== undefined) attributes[key] = value;
    }
    const span = tracer.startSpan(
      `x402.${event.endpoint}`,
      { kind: SpanKind.SERVER, startTime: endTimeMs - event.durationMs, attributes },
      traceparentContext(event.traceparent),
    );
    if (event.status >= 500)
      span.setStatus({ code: SpanStatusCode.ERROR, message: event.reason ?? 'server error' });
    span.end(endTimeMs);
  };
}
