/**
 * OpenTelemetry traces from a facilitator deployment, received by a real OTLP/HTTP collector on
 * 127.0.0.1 that parses what arrives: one server span per /verify and /settle in the OTLP JSON
 * encoding (resourceSpans → scopeSpans → spans, hex ids, nanosecond strings), the caller's W3C
 * `traceparent` continued, and the x402 attributes (scheme, network, reason, transaction).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SettleResponse } from '@x402kit/core';
import { type Devnet, devnetAccount, startDevnet } from '@x402kit/devnet';
import { createFacilitatorApp, type FacilitatorApp, parseServiceConfig } from '@x402kit/facilitator';
import { CHAINS } from '@x402kit/testing/chains';
import { devnetExactRequirements, signExactSettlement } from '@x402kit/testing/exact-settlement';
import { z } from 'zod';

const AnyValue = z.union([
  z.strictObject({ stringValue: z.string() }),
  // OTLP/JSON: an int64 is a decimal string or (as the OpenTelemetry JS exporter writes it) a number
  z.strictObject({ intValue: z.union([z.string().regex(/^-?\d+$/), z.number().int()]) }),
  z.strictObject({ doubleValue: z.number() }),
  z.strictObject({ boolValue: z.boolean() }),
]);
const KeyValue = z.strictObject({ key: z.string().min(1), value: AnyValue });
const Span = z.strictObject({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  parentSpanId: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
  name: z.string(),
  kind: z.literal(2),
  startTimeUnixNano: z.string().regex(/^\d{19}$/),
  endTimeUnixNano: z.string().regex(/^\d{19}$/),
  attributes: z.array(KeyValue),
  droppedAttributesCount: z.literal(0),
  events: z.tuple([]),
  droppedEventsCount: z.literal(0),
  links: z.tuple([]),
  droppedLinksCount: z.literal(0),
  // W3C trace flags (sampled), with the OTLP bits telling whether the parent is remote
  flags: z.number().int().nonnegative(),
  status: z.object({ code: z.union([z.literal(0), z.literal(1), z.literal(2)]) }),
});
const ExportTraceServiceRequest = z.strictObject({
  resourceSpans: z.array(
    z.strictObject({
      resource: z.strictObject({ attributes: z.array(KeyValue), droppedAttributesCount: z.literal(0) }),
      scopeSpans: z.array(
        z.strictObject({
          scope: z.strictObject({ name: z.string(), version: z.string() }),
          spans: z.array(Span),
        }),
      ),
    }),
  ),
});
type Span = z.infer<typeof Span>;

const attr = (span: Span | undefined, key: string) => {
  const value = span?.attributes.find((a) => a.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
};

describe('OpenTelemetry traces over OTLP/HTTP JSON', () => {
  let devnet: Devnet;
  let app: FacilitatorApp;
  let collector: Server;
  const requests: Array<{ path: string; contentType: string | undefined; body: unknown }> = [];

  before(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({
          path: req.url ?? '',
          contentType: req.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    devnet = await startDevnet({ port: 0 });
  });
  after(async () => {
    await app?.close();
    await devnet?.stop();
    await new Promise((resolve) => collector.close(resolve));
  });

  it('exports a span per verify and settle, continuing the caller’s traceparent', async () => {
    const { port } = collector.address() as AddressInfo;
    app = await createFacilitatorApp(
      parseServiceConfig(
        {
          networks: { [devnet.network]: { rpc: [devnet.rpcUrl] } },
          signers: { privateKeys: [devnetAccount(4).privateKey] },
          ledger: { sqlite: { path: ':memory:' } },
          instanceId: 'traced',
          telemetry: { otlpEndpoint: `http://127.0.0.1:${port}`, serviceName: 'facilitator-under-test' },
        },
        { chains: CHAINS },
      ),
      { log: () => {}, autoStart: false },
    );
    const { body } = await signExactSettlement(
      devnet.accounts.payer.privateKey,
      devnetExactRequirements(devnet),
      'https://api.example/traced',
    );
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const call = (path: string, headers: Record<string, string> = {}) =>
      app.service.fetch(
        new Request(`http://facilitator.local${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        }),
      );
    assert.equal((await call('/verify', { traceparent: `00-${traceId}-${parent}-01` })).status, 200);
    const settled = SettleResponse.parse(await (await call('/settle')).json());
    assert.equal(settled.success, true);
    // a replay is refused: its span carries the reason
    assert.equal((await call('/verify')).status, 200);
    await app.telemetry?.flush();

    assert.ok(requests.length >= 1, 'the collector received spans');
    const spans: Span[] = [];
    for (const request of requests) {
      assert.equal(request.path, '/v1/traces');
      assert.equal(request.contentType, 'application/json');
      const parsed = ExportTraceServiceRequest.parse(request.body);
      for (const rs of parsed.resourceSpans) {
        assert.deepEqual(rs.resource.attributes.find((a) => a.key === 'service.name')?.value, {
          stringValue: 'facilitator-under-test',
        });
        for (const ss of rs.scopeSpans) {
          assert.equal(ss.scope.name, '@x402kit/facilitator');
          spans.push(...ss.spans);
        }
      }
    }
    assert.equal(spans.length, 3);
    const [verify, settle, replay] = spans;
    assert.equal(verify?.name, 'x402.verify');
    assert.equal(verify?.traceId, traceId, 'the incoming trace is continued');
    assert.equal(verify?.parentSpanId, parent);
    assert.equal(attr(verify, 'x402.scheme'), 'exact');
    assert.equal(attr(verify, 'x402.network'), devnet.network);
    assert.equal(attr(verify, 'x402.outcome'), 'valid');
    assert.equal(settle?.name, 'x402.settle');
    assert.notEqual(settle?.traceId, traceId, 'no traceparent: a new trace');
    assert.equal(settle?.parentSpanId, undefined);
    assert.equal(attr(settle, 'x402.transaction'), settled.transaction);
    assert.equal(attr(settle, 'x402.outcome'), 'settled');
    assert.equal(attr(settle, 'http.response.status_code'), 200);
    assert.ok(BigInt(settle?.endTimeUnixNano ?? 0) > BigInt(settle?.startTimeUnixNano ?? 0));
    assert.equal(attr(replay, 'x402.reason'), 'duplicate_settlement');
  });
});
