import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LogEvent } from '@x402kit/core';
import type { ServiceRequestEvent } from '../service-types.js';
import { createOtlpExporter } from './otlp-exporter.js';
import { createRequestTracer } from './request-tracer.js';

type Received = { status: number; body: unknown };

describe('createOtlpExporter on the OpenTelemetry SDK', () => {
  let collector: Server;
  let url = '';
  let answer = 200;
  const received: Received[] = [];
  before(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ status: answer, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => collector.close(resolve)));

  const settle = (traceparent?: string): ServiceRequestEvent => ({
    endpoint: 'settle',
    method: 'POST',
    path: '/settle',
    status: 500,
    durationMs: 12.5,
    startedAt: Date.UTC(2026, 0, 1),
    scheme: 'exact',
    reason: 'unexpected_settle_error',
    ...(traceparent ? { traceparent } : {}),
  });

  it('continues any valid traceparent (not sampled, upper case) and marks 5xx answers as errors; shutdown flushes', async () => {
    received.length = 0;
    answer = 200;
    const exporter = createOtlpExporter({
      endpoint: `${url}/`,
      serviceName: 'unit',
      flushIntervalMs: 60_000,
    });
    const trace = createRequestTracer(exporter);
    trace(settle('00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00'));
    trace({ ...settle(), endpoint: 'health', path: '/health' });
    await exporter.shutdown();
    trace(settle()); // after shutdown: dropped
    await exporter.flush();
    const spans = received.flatMap(
      (r) =>
        (
          r.body as {
            resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }>;
          }
        ).resourceSpans[0]?.scopeSpans[0]?.spans ?? [],
    );
    assert.equal(spans.length, 1);
    const [span] = spans;
    assert.equal(span?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(span?.parentSpanId, '00f067aa0ba902b7');
    assert.equal(span?.name, 'x402.settle');
    assert.deepEqual(span?.status, { code: 2, message: 'unexpected_settle_error' });
    assert.equal(span?.startTimeUnixNano, '1767225600000000000');
    assert.equal(span?.endTimeUnixNano, '1767225600012500000');
  });

  it('logs a refused or failed export and drops it', async () => {
    received.length = 0;
    answer = 400;
    const events: LogEvent[] = [];
    const refused = createOtlpExporter({ endpoint: url, serviceName: 'unit', log: (e) => events.push(e) });
    createRequestTracer(refused)(settle());
    await refused.shutdown();
    assert.equal(received.length, 1);
    assert.deepEqual(events, [
      {
        level: 'warn',
        message: 'telemetry: the collector refused spans',
        data: { url: `${url}/v1/traces`, status: 400 },
      },
    ]);

    events.length = 0;
    const closed = 'http://127.0.0.1:9';
    const unreachable = createOtlpExporter({
      endpoint: closed,
      serviceName: 'unit',
      log: (e) => events.push(e),
    });
    createRequestTracer(unreachable)(settle());
    await unreachable.shutdown();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.message, 'telemetry: spans could not be exported');
    assert.equal(events[0]?.data?.url, `${closed}/v1/traces`);
    assert.equal(events[0]?.data?.spans, 1);
    assert.equal(typeof events[0]?.data?.error, 'string');
  });

  it('a collector that never answers: the export gives up within timeoutMs, is logged, and shutdown resolves', async () => {
    const silent = createServer(() => {
      // takes the request and never answers
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const events: LogEvent[] = [];
      const exporter = createOtlpExporter({
        endpoint: silentUrl,
        serviceName: 'unit',
        timeoutMs: 300,
        log: (e) => events.push(e),
      });
      createRequestTracer(exporter)(settle());
      await exporter.shutdown(); // resolves: the processor never times out before the exporter answers
      assert.equal(events.length, 1, JSON.stringify(events));
      assert.equal(events[0]?.message, 'telemetry: spans could not be exported');
      assert.equal(events[0]?.data?.spans, 1);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
