/**
 * Properties of the resource server (`@x402kit/http`'s payment handler, through our Express
 * middleware, on 127.0.0.1, with our facilitator service on a real devnet): whatever the path,
 * the method and the `PAYMENT-SIGNATURE` / `X-PAYMENT` headers, the answer is never a 5xx and a
 * paid handler never runs without a valid payment; a signed payment with one field changed is
 * refused and moves no token.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import {
  decodePaymentRequiredHeader,
  encodeBase64,
  encodeJsonHeader,
  encodePaymentSignatureHeader,
  type PaymentRequirements,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { signExactSettlement } from '@x402kit/testing/exact-settlement';
import type { Running } from '@x402kit/testing/listen';
import { startOurFacilitator, startOurServer } from '@x402kit/testing/ours';
import fc from 'fast-check';
import { type FuzzCase, fuzzCase } from './fuzz-run.js';
import { mutatePayment, paymentMutation } from './payment-mutations.js';

/** A devnet, our facilitator service and our paid API (`GET /weather`, `POST /echo`, `GET /broken`, `GET /free`). */
export type ApiFixture = {
  devnet: Devnet;
  api: Running & { handlerCalls: () => number };
  /** What `GET /weather` asks for. */
  requirements: PaymentRequirements;
  close(): Promise<void>;
};

/**
 * Start the fixture (a few seconds).
 *
 * @example const fixture = await startApiFixture(); try { ... } finally { await fixture.close() }
 */
export async function startApiFixture(existing?: Devnet): Promise<ApiFixture> {
  const devnet = existing ?? (await startDevnet({ port: 0 }));
  const stops: Array<() => Promise<void>> = existing ? [] : [() => devnet.stop()];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const facilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey],
    });
    stops.push(() => facilitator.close());
    const api = await startOurServer({
      facilitatorUrl: facilitator.url,
      payTo: devnet.accounts.payTo.address,
      network: devnet.network,
    });
    stops.push(() => api.close());
    const unpaid = await fetch(`${api.url}/weather`);
    await unpaid.arrayBuffer();
    const header = unpaid.headers.get('payment-required');
    assert.ok(
      unpaid.status === 402 && header !== null,
      `GET /weather answered ${unpaid.status} without payment`,
    );
    const offered = decodePaymentRequiredHeader(header);
    assert.ok(offered.x402Version === 2 && offered.accepts[0]);
    return { devnet, api, requirements: offered.accepts[0], close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Paths around the protected routes: case, slashes, dot segments, encodings, queries, junk. */
const pathArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '/weather',
    '/WEATHER',
    '/Weather',
    '/weather/',
    '//weather',
    '/weather//',
    '/./weather',
    '/free/../weather',
    '/free/%2e%2e/weather',
    '/%2e/weather',
    '/%77eather',
    '/we%61ther',
    '/weather%2F',
    '/weather%2f..%2ffree',
    '/weather;jsessionid=1',
    '/weather%00',
    '/weather%',
    '/weather%zz',
    '/weather?x=1',
    '/weather?',
    '/weather#frag',
    '/echo',
    '/broken',
    '/BROKEN/',
    '/free',
    '/free?/weather',
    '*',
    '/',
    'http://127.0.0.1/weather',
  ),
  fc.webPath(),
  fc
    .tuple(
      fc.constantFrom('', '/', '//', '/.', '/..', '/free/..', '/%2e%2e'),
      fc.constantFrom('weather', 'echo', 'broken', 'WEATHER', 'w%65ather'),
      fc.constantFrom('', '/', '/.', '?a=b', '%20', '/..', '.json'),
    )
    .map(([a, b, c]) => `${a}/${b}${c}`.replace(/^([^/])/, '/$1')),
  fc
    .string({ unit: fc.constantFrom(...'/abcdefghijklmnopqrstuvwxyzABC.%2e0:;@?=&'), maxLength: 40 })
    .map((s) => `/${s}`),
);

/** Header values a client could send: printable Latin-1, base64 of JSON, x402-shaped junk. */
const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength: 300,
  }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => encodeBase64(JSON.stringify(v) ?? 'null')),
  fc
    .record(
      {
        x402Version: fc.constantFrom(1, 2),
        accepted: fc.jsonValue({ maxDepth: 2 }),
        payload: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
        scheme: fc.constantFrom('exact', 'upto'),
        network: fc.constantFrom('eip155:84532', 'base-sepolia'),
      },
      { requiredKeys: ['x402Version'] },
    )
    .map((doc) => encodeJsonHeader(doc)),
  fc.integer({ min: 16 * 1024 - 4, max: 64 * 1024 }).map((n) => 'A'.repeat(n)),
);

const method = fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'get');

/** The paid handlers' output: it must never reach a client that did not pay. */
const PAID_CONTENT = /sunny|\{"echo":|"boom"/;

/**
 * The resource-server properties over `fixture`, with their `npm test` case counts.
 *
 * @example for (const property of resourceServerProperties(fixture)) await property.run()
 */
export function resourceServerProperties(fixture: ApiFixture): FuzzCase[] {
  const { devnet, api, requirements } = fixture;
  const balances = () =>
    Promise.all([
      readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address),
      readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address),
    ]);

  return [
    fuzzCase(
      'resource server: arbitrary paths, methods and payment headers: never 5xx, never a paid handler',
      fc.asyncProperty(
        pathArbitrary,
        method,
        fc.record({ 'payment-signature': headerValue, 'x-payment': headerValue }, { requiredKeys: [] }),
        async (path, verb, headers) => {
          const calls = api.handlerCalls();
          const answer = await send(api.url, verb, path, headers);
          assert.ok(
            answer.status < 500,
            `${verb} ${path} answered ${answer.status}: ${answer.body.slice(0, 200)}`,
          );
          assert.equal(
            api.handlerCalls(),
            calls,
            `${verb} ${path} ran a paid handler without a valid payment`,
          );
          assert.doesNotMatch(answer.body, PAID_CONTENT, `${verb} ${path} leaked paid content`);
        },
      ),
      800,
    ),
    fuzzCase(
      'resource server: a signed payment with one field changed is refused, runs nothing, moves nothing',
      fc.asyncProperty(
        paymentMutation,
        fc.constantFrom('payment-signature', 'x-payment'),
        async (mutation, headerName) => {
          const payment = await signExactSettlement(
            devnet.accounts.payer.privateKey,
            requirements,
            `${api.url}/weather`,
          );
          const changed = mutatePayment(payment.payload, payment.requirements, mutation);
          // a change of the requirements alone leaves the header valid: not a case for this property
          fc.pre(
            changed !== undefined && JSON.stringify(changed.payload) !== JSON.stringify(payment.payload),
          );
          const calls = api.handlerCalls();
          const before = await balances();
          const answer = await send(api.url, 'GET', '/weather', {
            [headerName]: encodePaymentSignatureHeader(changed.payload),
          });
          assert.ok(
            answer.status >= 400 && answer.status < 500,
            `changing ${mutation.field} answered ${answer.status}: ${answer.body.slice(0, 200)}`,
          );
          assert.equal(api.handlerCalls(), calls, `changing ${mutation.field} ran the paid handler`);
          assert.deepEqual(await balances(), before, `tokens moved after changing ${mutation.field}`);
        },
      ),
      120,
    ),
  ];
}

/** One request over a real socket, the path sent exactly as written. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}
