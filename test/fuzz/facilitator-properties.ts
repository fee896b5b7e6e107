/**
 * Properties of the facilitator service (`createFacilitatorService` over our real engine with the
 * EVM `exact` scheme, on a real anvil devnet): whatever the body of `/verify` or `/settle`, the
 * answer is a JSON document with a reason code and never a 5xx; a valid payment with one signed
 * field changed is never valid; `/settle` of such a payment moves no token.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { PaymentRequirements } from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import {
  createFacilitatorService,
  type FacilitatorServer,
  type FacilitatorService,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import {
  devnetExactRequirements,
  settleRequestBody,
  signExactSettlement,
} from '@x402kit/testing/exact-settlement';
import { createOurEvmEngine, type OurEvmEngine } from '@x402kit/testing/ours';
import fc from 'fast-check';
import { type FuzzCase, fuzzCase } from './fuzz-run.js';
import { mutatePayment, paymentMutation } from './payment-mutations.js';

/** A devnet, our engine, its service (called in process) and the same service on 127.0.0.1. */
export type ServiceFixture = {
  devnet: Devnet;
  service: FacilitatorService;
  server: FacilitatorServer;
  requirements: PaymentRequirements;
  close(): Promise<void>;
};

/**
 * Start the fixture (a few seconds: anvil and its contracts).
 *
 * @example const fixture = await startServiceFixture(); try { ... } finally { await fixture.close() }
 */
export async function startServiceFixture(existing?: Devnet): Promise<ServiceFixture> {
  const devnet = existing ?? (await startDevnet({ port: 0 }));
  let engine: OurEvmEngine | undefined;
  try {
    engine = createOurEvmEngine({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey],
    });
    const service = createFacilitatorService({ facilitator: engine.facilitator });
    const server = await startFacilitatorServer({ service, port: 0 });
    const started = engine;
    return {
      devnet,
      service,
      server,
      requirements: devnetExactRequirements(devnet),
      async close() {
        await server.close();
        started.close();
        if (!existing) await devnet.stop();
      },
    };
  } catch (error) {
    engine?.close();
    if (!existing) await devnet.stop();
    throw error;
  }
}

type Endpoint = 'verify' | 'settle';

/** What any answer of /verify or /settle must be: JSON, < 500, a reason code when not a success. */
export function assertServiceAnswer(
  endpoint: Endpoint,
  status: number,
  contentType: string | null,
  text: string,
): Record<string, unknown> {
  assert.ok(status < 500, `/${endpoint} answered ${status}: ${text.slice(0, 300)}`);
  assert.match(contentType ?? '', /^application\/json/, `/${endpoint} ${status} content type`);
  const body: unknown = JSON.parse(text);
  assert.ok(typeof body === 'object' && body !== null && !Array.isArray(body), `/${endpoint}: not an object`);
  const answer: Record<string, unknown> = { ...body };
  if (status === 200) {
    const ok = endpoint === 'verify' ? answer.isValid : answer.success;
    const reason = endpoint === 'verify' ? answer.invalidReason : answer.errorReason;
    assert.equal(
      typeof ok,
      'boolean',
      `/${endpoint} 200 without ${endpoint === 'verify' ? 'isValid' : 'success'}`,
    );
    if (ok === false)
      assert.ok(
        typeof reason === 'string' && reason.length > 0,
        `/${endpoint}: refusal without a reason code`,
      );
  } else {
    assert.ok(
      typeof answer.error === 'string' && answer.error.length > 0,
      `/${endpoint} ${status} without an error code`,
    );
  }
  return answer;
}

/** Bodies nobody signed: arbitrary bytes and text, arbitrary JSON, x402-shaped documents with wrong values. */
const arbitraryBody: fc.Arbitrary<string | Uint8Array<ArrayBuffer>> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => new Uint8Array(bytes)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc
    .record(
      {
        x402Version: fc.oneof(fc.constantFrom(1, 2, '2', null), fc.jsonValue({ maxDepth: 1 })),
        paymentPayload: fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.record(
            {
              x402Version: fc.constantFrom(1, 2),
              accepted: fc.jsonValue({ maxDepth: 2 }),
              payload: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
              scheme: fc.constantFrom('exact', 'upto', 'x'),
              network: fc.constantFrom('eip155:84532', 'base-sepolia', 'x'),
            },
            { requiredKeys: ['x402Version'] },
          ),
        ),
        paymentRequirements: fc.jsonValue({ maxDepth: 3 }),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  undefined,
);

/**
 * The facilitator properties over `fixture`, with their `npm test` case counts (about 1 600 cases,
 * several hundred of them reaching the chain).
 *
 * @example for (const property of facilitatorProperties(fixture)) await property.run()
 */
export function facilitatorProperties(fixture: ServiceFixture): FuzzCase[] {
  const { devnet, service, requirements } = fixture;
  const payer = devnet.accounts.payer;
  const balances = () =>
    Promise.all([
      readTokenBalance(devnet.rpcUrl, devnet.token.address, payer.address),
      readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address),
    ]);
  const call = async (endpoint: Endpoint, body: string | Uint8Array<ArrayBuffer>, type?: string) => {
    const response = await service.fetch(
      new Request(`http://facilitator.test/${endpoint}`, {
        method: 'POST',
        headers: type === undefined ? {} : { 'content-type': type },
        body,
      }),
    );
    const text = await response.text();
    return assertServiceAnswer(endpoint, response.status, response.headers.get('content-type'), text);
  };
  /** A freshly signed valid payment with one signed field changed (undefined: the change was a no-op). */
  const mutated = async (mutation: Parameters<typeof mutatePayment>[2]) => {
    const payment = await signExactSettlement(payer.privateKey, requirements, 'http://fuzz.test/paid');
    const changed = mutatePayment(payment.payload, payment.requirements, mutation);
    return changed && settleRequestBody(changed.payload, changed.requirements);
  };

  return [
    fuzzCase(
      'facilitator: arbitrary bodies to /verify and /settle (in process)',
      fc.asyncProperty(
        arbitraryBody,
        contentType,
        fc.constantFrom<Endpoint>('verify', 'settle'),
        async (body, type, endpoint) => {
          const answer = await call(endpoint, body, type);
          assert.notEqual(
            endpoint === 'verify' ? answer.isValid : answer.success,
            true,
            'an unsigned body was accepted',
          );
        },
      ),
      800,
    ),
    fuzzCase(
      'facilitator: arbitrary bodies over HTTP on 127.0.0.1 (raw bytes, any content type)',
      fc.asyncProperty(
        arbitraryBody,
        contentType,
        fc.constantFrom<Endpoint>('verify', 'settle'),
        async (body, type, endpoint) => {
          const { status, headers, text } = await post(`${fixture.server.url}/${endpoint}`, body, type);
          const answer = assertServiceAnswer(endpoint, status, headers, text);
          assert.notEqual(
            endpoint === 'verify' ? answer.isValid : answer.success,
            true,
            'an unsigned body was accepted',
          );
        },
      ),
      250,
    ),
    fuzzCase(
      'facilitator: a signed payment with one field replaced by any JSON value (types, sizes, shapes)',
      fc.asyncProperty(
        fc.constantFrom(...REPLACEABLE),
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom<Endpoint>('verify', 'settle'),
        async ({ path, signed }, value, endpoint) => {
          const payment = await signExactSettlement(payer.privateKey, requirements, 'http://fuzz.test/paid');
          const document: unknown = JSON.parse(payment.body);
          const before = JSON.stringify(document);
          replaceAt(document, path, value);
          fc.pre(JSON.stringify(document) !== before);
          const answer = await call(endpoint, JSON.stringify(document), 'application/json');
          if (signed) {
            assert.notEqual(
              endpoint === 'verify' ? answer.isValid : answer.success,
              true,
              `accepted with ${path.join('.')} replaced`,
            );
          }
        },
      ),
      200,
    ),
    fuzzCase(
      'facilitator: /verify never accepts a valid payment with one signed field changed',
      fc.asyncProperty(paymentMutation, async (mutation) => {
        const body = await mutated(mutation);
        fc.pre(body !== undefined);
        const answer = await call('verify', body, 'application/json');
        assert.notEqual(answer.isValid, true, `accepted after changing ${mutation.field}`);
      }),
      250,
    ),
    fuzzCase(
      'facilitator: /settle of a payment with one signed field changed moves no token',
      fc.asyncProperty(paymentMutation, async (mutation) => {
        const body = await mutated(mutation);
        fc.pre(body !== undefined);
        const before = await balances();
        const answer = await call('settle', body, 'application/json');
        assert.notEqual(answer.success, true, `settled after changing ${mutation.field}`);
        assert.deepEqual(await balances(), before, `tokens moved after changing ${mutation.field}`);
      }),
      80,
    ),
  ];
}

/** Fields of a `/verify` body to replace; `signed`: the signature binds it, so no replacement may be valid. */
const REPLACEABLE: ReadonlyArray<{ path: readonly string[]; signed: boolean }> = [
  { path: ['paymentPayload', 'payload', 'signature'], signed: true },
  { path: ['paymentPayload', 'payload', 'authorization'], signed: true },
  { path: ['paymentPayload', 'payload', 'authorization', 'from'], signed: true },
  { path: ['paymentPayload', 'payload', 'authorization', 'to'], signed: true },
  { path: ['paymentPayload', 'payload', 'authorization', 'value'], signed: true },
  { path: ['paymentPayload', 'payload', 'authorization', 'validAfter'], signed: true },
  { path: ['paymentPayload', 'payload', 'authorization', 'validBefore'], signed: true },
  { path: ['paymentPayload', 'payload', 'authorization', 'nonce'], signed: true },
  { path: ['paymentPayload', 'accepted', 'network'], signed: true },
  { path: ['paymentRequirements', 'network'], signed: true },
  { path: ['paymentRequirements', 'asset'], signed: true },
  { path: ['paymentRequirements', 'payTo'], signed: true },
  { path: ['paymentRequirements', 'amount'], signed: true },
  { path: ['paymentPayload', 'accepted'], signed: false },
  { path: ['paymentPayload', 'accepted', 'extra'], signed: false },
  { path: ['paymentPayload', 'extensions'], signed: false },
  { path: ['paymentPayload', 'resource'], signed: false },
  { path: ['paymentRequirements', 'maxTimeoutSeconds'], signed: false },
  { path: ['paymentRequirements', 'extra'], signed: false },
  { path: ['paymentRequirements', 'scheme'], signed: false },
  { path: ['x402Version'], signed: false },
];

function replaceAt(document: unknown, path: readonly string[], value: unknown): void {
  let target = document;
  for (const key of path.slice(0, -1)) {
    if (typeof target !== 'object' || target === null) return;
    target = Reflect.get(target, key);
  }
  if (typeof target === 'object' && target !== null) Reflect.set(target, path.at(-1) ?? '', value);
}

/** POST over a real socket, any bytes and content type, and read the whole answer. */
function post(
  url: string,
  body: string | Uint8Array,
  type: string | undefined,
): Promise<{ status: number; headers: string | null; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: type === undefined ? {} : { 'content-type': type } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers['content-type'] ?? null,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
