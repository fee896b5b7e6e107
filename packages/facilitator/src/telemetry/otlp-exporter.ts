/**
 * Traces of the facilitator on the OpenTelemetry SDK: a tracer provider of its own (never the
 * process-global one) whose spans are batched and sent by the official OTLP/HTTP JSON exporter to
 * `{endpoint}/v1/traces`. A failed export is logged and dropped: tracing never slows or breaks a
 * request. `shutdown` flushes what is queued.
 */
import type { Tracer } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { errorText } from '@x402kit/core/internal';
import { createEmitter, type Log } from '../log.js';

/** An attribute value as OTLP carries it. */
export type SpanAttribute = string | number | boolean;

/** Options of `createOtlpExporter`. */
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

/** What `createOtlpExporter` returns. */
export type OtlpExporter = {
  /** Starts the service's spans; what they record is exported. */
  tracer: Tracer;
  /** Send what is queued and wait for it. */
  flush(): Promise<void>;
  /** Flush, then drop later spans. */
  shutdown(): Promise<void>;
};

/** The instrumentation scope of the spans. */
const SCOPE = { name: '@x402kit/facilitator', version: '0.1.0' };
const MAX_QUEUE = 10_000;
/** How much longer than the exporter the batch processor waits for an export's answer. */
const EXPORT_ANSWER_MARGIN_MS = 1000;

/**
 * Create the tracer and its exporter.
 *
 * @example
 * const exporter = createOtlpExporter({ endpoint: 'http://127.0.0.1:4318', serviceName: 'x402kit-facilitator' })
 * exporter.tracer.startSpan('x402.settle', { kind: SpanKind.SERVER }).end()
 * await exporter.shutdown()
 */
export function createOtlpExporter(options: OtlpExporterOptions): OtlpExporter {
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const timeoutMs = options.timeoutMs ?? 5000;
  const emit = createEmitter(options.log);
  const exporter = loggingFailures(new OTLPTraceExporter({ url, timeoutMillis: timeoutMs }), url, emit);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, ...options.resource }),
    // every request is traced, as the caller's sampled flag does not decide what this service keeps
    sampler: new AlwaysOnSampler(),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        maxExportBatchSize: options.maxBatch ?? 128,
        scheduledDelayMillis: options.flushIntervalMs ?? 2000,
        // the exporter gives up within timeoutMs (retries included) and says so, logged and dropped; the
        // processor waits a little longer, so its own timeout never rejects a flush or a shutdown first
        exportTimeoutMillis: timeoutMs + EXPORT_ANSWER_MARGIN_MS,
        maxQueueSize: MAX_QUEUE,
      }),
    ],
  });
  return {
    tracer: provider.getTracer(SCOPE.name, SCOPE.version),
    flush: () => provider.forceFlush().catch((error) => lost(emit, url, error)),
    shutdown: () => provider.shutdown().catch((error) => lost(emit, url, error)),
  };
}

/** A flush or shutdown that failed anyway (a processor timeout): told, never thrown at the service. */
function lost(emit: ReturnType<typeof createEmitter>, url: string, error: unknown): void {
  emit('warn', 'telemetry: spans could not be exported', { url, error: errorText(error) });
}

/** The exporter, telling the operator about each batch it could not deliver, then dropping it. */
function loggingFailures(
  exporter: SpanExporter,
  url: string,
  emit: ReturnType<typeof createEmitter>,
): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          const error = result.error;
          const status = error && 'code' in error && typeof error.code === 'number' ? error.code : undefined;
          if (status !== undefined) emit('warn', 'telemetry: the collector refused spans', { url, status });
          else
            emit('warn', 'telemetry: spans could not be exported', {
              url,
              spans: spans.length,
              error: error?.message ?? 'export failed',
            });
        }
        // told and dropped: a flush or a shutdown never fails because the collector did
        done({ code: ExportResultCode.SUCCESS });
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
