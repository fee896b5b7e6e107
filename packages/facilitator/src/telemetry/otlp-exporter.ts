/**
 * A small OTLP/HTTP JSON trace exporter (no OpenTelemetry SDK): finished spans are batched and
 * `POST`ed to `{endpoint}/v1/traces` as `ExportTraceServiceRequest` in the OTLP JSON encoding
 * (`resourceSpans[].scopeSpans[].spans[]`, hex trace and span ids, times as nanosecond strings).
 * A failed export is logged and dropped: tracing never slows or breaks a request.
 */
import { createEmitter, type Log } from '../log.js';

/** An attribute value as OTLP carries it. */
export type SpanAttribute = string | number | boolean;

/** A finished span. */
export type FinishedSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: 1 | 2 | 3;
  /** Epoch milliseconds (fractions kept). */
  startTimeMs: number;
  endTimeMs: number;
  attributes: Record<string, SpanAttribute | undefined>;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: 0 | 1 | 2; message?: string };
};

export type OtlpExporterOptions = {
  /** The collector's base URL; spans go to `{endpoint}/v1/traces`. */
  endpoint: string;
  /** `service.name` of the resource. */
  serviceName: string;
  /** More resource attributes (`service.instance.id` ...). */
  resource?: Record<string, SpanAttribute>;
  /** A batch is sent when it holds this many spans; default 128. */
  maxBatch?: number;
  /** ... or when this long passed since its first span; default 2000 ms. */
  flushIntervalMs?: number;
  /** Per export; default 5000 ms. */
  timeoutMs?: number;
  log?: Log;
};

export type OtlpExporter = {
  /** Queue a span (never blocks). */
  export(span: FinishedSpan): void;
  /** Send what is queued and wait for it. */
  flush(): Promise<void>;
  /** Flush, then drop later spans. */
  shutdown(): Promise<void>;
};

const SCOPE = { name: '@x402kit/facilitator', version: '0.1.0' };
const MAX_QUEUE = 10_000;

/**
 * Create the exporter.
 *
 * @example
 * const exporter = createOtlpExporter({ endpoint: 'http://127.0.0.1:4318', serviceName: 'x402kit-facilitator' })
 * exporter.export({ traceId, spanId, name: 'x402.settle', kind: 2, startTimeMs, endTimeMs, attributes: {}, status: { code: 0 } })
 * await exporter.shutdown()
 */
export function createOtlpExporter(options: OtlpExporterOptions): OtlpExporter {
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const maxBatch = options.maxBatch ?? 128;
  const flushIntervalMs = options.flushIntervalMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const emit = createEmitter(options.log);
  const resource = {
    attributes: toAttributes({ 'service.name': options.serviceName, ...options.resource }),
  };
  let queue: FinishedSpan[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const sending = new Set<Promise<void>>();

  async function send(spans: FinishedSpan[]): Promise<void> {
    const body = {
      resourceSpans: [{ resource, scopeSpans: [{ scope: SCOPE, spans: spans.map(toOtlpSpan) }] }],
    };
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok)
        emit('warn', 'telemetry: the collector refused spans', { url, status: response.status });
    } catch (error) {
      emit('warn', 'telemetry: spans could not be exported', {
        url,
        spans: spans.length,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  function drain(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return Promise.resolve();
    const batch = queue;
    queue = [];
    const task = send(batch).finally(() => sending.delete(task));
    sending.add(task);
    return task;
  }

  async function flush(): Promise<void> {
    await drain();
    await Promise.all([...sending]);
  }

  return {
    export(span) {
      if (closed || queue.length >= MAX_QUEUE) return;
      queue.push(span);
      if (queue.length >= maxBatch) {
        void drain();
      } else if (timer === undefined) {
        timer = setTimeout(() => void drain(), flushIntervalMs);
        timer.unref();
      }
    },
    flush,
    async shutdown() {
      closed = true;
      await flush();
    },
  };
}

function toOtlpSpan(span: FinishedSpan) {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: toNanos(span.startTimeMs),
    endTimeUnixNano: toNanos(span.endTimeMs),
    attributes: toAttributes(span.attributes),
    status: span.status.message ? span.status : { code: span.status.code },
  };
}

function toNanos(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms % 1) * 1e6))).toString();
}

type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number };
type OtlpKeyValue = { key: string; value: OtlpAnyValue };

function toAttributes(values: Record<string, SpanAttribute | undefined>): OtlpKeyValue[] {
  return Object.entries(values).flatMap(([key, value]): OtlpKeyValue[] => {
    if (value === undefined) return [];
    if (typeof value === 'string') return [{ key, value: { stringValue: value } }];
    if (typeof value === 'boolean') return [{ key, value: { boolValue: value } }];
    return [{ key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } }];
  });
}
