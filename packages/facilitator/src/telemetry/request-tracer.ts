/**
 * Spans for the facilitator's verify and settle requests, built from the service's per-request
 * event (so tracing is one more `observe` hook): one server span per `/verify` or `/settle`, child
 * of the caller's W3C `traceparent` when it sent one, with `x402.scheme`, `x402.network`,
 * `x402.reason`, `x402.outcome`, `x402.payer` and `x402.transaction` attributes.
 */
import type { ServiceRequestEvent } from '../service-types.js';
import type { OtlpExporter } from './otlp-exporter.js';
import { parseTraceparent, randomId } from './traceparent.js';

/**
 * Create the `observe` hook that exports a span per verify/settle request.
 *
 * @example
 * const exporter = createOtlpExporter({ endpoint: 'http://127.0.0.1:4318', serviceName: 'facilitator' })
 * createFacilitatorService({ facilitator, observe: createRequestTracer(exporter) })
 */
export function createRequestTracer(exporter: OtlpExporter): (event: ServiceRequestEvent) => void {
  return function traceRequest(event) {
    if (event.endpoint !== 'verify' && event.endpoint !== 'settle') return;
    const parent = parseTraceparent(event.traceparent);
    const endTimeMs = (event.startedAt ?? Date.now() - event.durationMs) + event.durationMs;
    exporter.export({
      traceId: parent?.traceId ?? randomId(16),
      spanId: randomId(8),
      ...(parent ? { parentSpanId: parent.parentSpanId } : {}),
      name: `x402.${event.endpoint}`,
      kind: 2,
      startTimeMs: endTimeMs - event.durationMs,
      endTimeMs,
      attributes: {
        'http.request.method': event.method,
        'url.path': event.path,
        'http.response.status_code': event.status,
        'x402.scheme': event.scheme,
        'x402.network': event.network,
        'x402.reason': event.reason,
        'x402.outcome': event.outcome,
        'x402.payer': event.payer,
        'x402.transaction': event.transaction,
      },
      status: event.status >= 500 ? { code: 2, message: event.reason ?? 'server error' } : { code: 0 },
    });
  };
}
