/**
 * Test fixtures: the real core engines wired to the test-ledger scheme, the route table every
 * adapter test serves, and a raw HTTP client that sends paths exactly as written.
 */
import { request as httpRequest } from 'node:http';
import {
  createFacilitator,
  createHttpFacilitatorClient,
  createResourceServer,
  createX402Client,
  type FacilitatorClient,
  type ResourceServer,
  type X402Client,
} from '@x402kit/core';
import type { RoutesConfig } from '@x402kit/http';
import { listen } from '@x402kit/http/node';
import { createTestLedger, TEST_ASSET, TEST_NETWORK, TEST_SCHEME, type TestLedger } from './test-ledger.js';

/** Recipient used by the test routes. */
export const PAY_TO = 'test-merchant';
/** Marker every protected test handler puts in its body: it must never reach an unpaid client. */
export const PAID_CONTENT = 'PAID-CONTENT';

/** Engines around one test ledger. */
export type TestStack = {
  ledger: TestLedger;
  facilitator: FacilitatorClient;
  server: ResourceServer;
  /** A paying client (v1 and v2). */
  client: X402Client;
};

/**
 * Engines for tests: in-process facilitator by default, or the one given (e.g. an HTTP client
 * pointing at a closed port).
 *
 * @example
 * const { server, client, ledger } = createTestStack();
 */
export function createTestStack(options: { facilitator?: FacilitatorClient } = {}): TestStack {
  const ledger = createTestLedger();
  const facilitator =
    options.facilitator ??
    createFacilitator({ schemes: [{ networks: TEST_NETWORK, facilitator: ledger.facilitator }] });
  const server = createResourceServer({
    facilitators: facilitator,
    schemes: [{ network: 'test:*', server: ledger.server }],
  });
  const client = createX402Client({ schemes: [{ network: 'test:*', client: ledger.client() }] });
  return { ledger, facilitator, server, client };
}

/**
 * The routes every adapter test serves. Handlers to implement (each counting its hits):
 * `GET /free` (unprotected), `GET /paid`, `POST /echo` (echoes the body), `GET /broken`
 * (answers 500), `GET /metered` (sets `Settlement-Overrides: {"amount":"50%"}`),
 * `GET /city/:name` (price 1000 atomic per letter), `GET /files/*`.
 *
 * @example
 * app.use(paymentMiddleware(testRoutes(), stack.server));
 */
export function testRoutes(): RoutesConfig {
  const option = (price: string) => ({ scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: PAY_TO, price });
  return {
    'GET /paid': { accepts: option('$0.01'), description: 'A paid thing', mimeType: 'application/json' },
    'POST /echo': { accepts: option('$0.01') },
    'GET /broken': { accepts: option('$0.01') },
    'GET /metered': { accepts: option('$0.02') },
    'GET /city/:name': {
      accepts: {
        scheme: TEST_SCHEME,
        network: TEST_NETWORK,
        payTo: (ctx) => `${PAY_TO}-${ctx.params.name?.toLowerCase() ?? ''}`,
        price: (ctx) => ({ amount: String(1000 * (ctx.params.name?.length ?? 1)), asset: TEST_ASSET }),
      },
    },
    'GET /files/*': { accepts: option('$0.01') },
  };
}

/**
 * A URL where nothing listens (a port bound and released), for "facilitator down" tests.
 *
 * @example
 * createHttpFacilitatorClient({ url: await closedPortUrl() })
 */
export async function closedPortUrl(): Promise<string> {
  const probe = await listen((_req, res) => res.end());
  await probe.close();
  return probe.url;
}

/**
 * A test stack whose facilitator is an HTTP client pointing at a closed port.
 *
 * @example
 * const { server } = await createDownStack();
 */
export async function createDownStack(): Promise<TestStack> {
  return createTestStack({
    facilitator: createHttpFacilitatorClient({ url: await closedPortUrl(), timeoutMs: 2_000, maxRetries: 0 }),
  });
}

/** A raw HTTP exchange's result. */
export type RawResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
};

/**
 * Send a request with the path exactly as written (no URL normalization, unlike `fetch`).
 *
 * @example
 * const { status } = await rawRequest(url, 'GET', '/paid%2F..%2Ffree');
 */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
