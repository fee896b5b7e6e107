/**
 * The resource servers of the `batch-settlement` interop tests, on 127.0.0.1: the OFFICIAL one
 * (`@x402/express` + `@x402/evm/batch-settlement/server`) and OURS (`createResourceServer` with a
 * `createBatchSettlementEvmServer` scheme behind our Express or Hono middleware), each over a facilitator
 * URL and serving paid `GET` routes at one price.
 */
import { getRequestListener } from '@hono/node-server';
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { BatchSettlementEvmScheme as OfficialBatchServer } from '@x402/evm/batch-settlement/server';
import { paymentMiddleware as officialPayments } from '@x402/express';
import { createHttpFacilitatorClient, createResourceServer, type SchemeServer } from '@x402kit/core';
import type { RoutesConfig } from '@x402kit/http';
import { paymentMiddleware as expressPayments } from '@x402kit/http/express';
import { paymentMiddleware as honoPayments } from '@x402kit/http/hono';
import express from 'express';
import { Hono } from 'hono';
import type { Hex } from 'viem';
import { listenLocal, type Running } from './listen.js';

/** What a paid route answers: a JSON body, with a status (default 200). */
export type BatchRouteAnswer = { status?: number; body: unknown };

/** Where and what a batch-settlement server sells. */
export type BatchServerTerms = {
  facilitatorUrl: string;
  network: string;
  payTo: string;
  /** Default `$0.001`. */
  price?: string;
};

/** The weather every default route answers. */
export const SUNNY: BatchRouteAnswer = { body: { report: { weather: 'sunny' } } };

/**
 * The official batch-settlement server (Express) selling `GET /weather`, with its scheme and
 * facilitator client (for its channel manager's claims and refunds).
 *
 * @example
 * const official = await serveOfficialBatchServer({ facilitatorUrl, network: devnet.network, payTo })
 * await pay(`${official.url}/weather`)
 */
export async function serveOfficialBatchServer(
  terms: BatchServerTerms,
): Promise<Running & { scheme: OfficialBatchServer; facilitatorClient: HTTPFacilitatorClient }> {
  const network = terms.network as `${string}:${string}`;
  const facilitatorClient = new HTTPFacilitatorClient({ url: terms.facilitatorUrl });
  const scheme = new OfficialBatchServer(terms.payTo as Hex);
  const resourceServer = new x402ResourceServer(facilitatorClient).register(network, scheme);
  const accepts = { scheme: 'batch-settlement', network, payTo: terms.payTo, price: terms.price ?? '$0.001' };
  const app = express();
  app.use(officialPayments({ 'GET /weather': { accepts, description: 'weather' } }, resourceServer));
  app.get('/weather', (_req, res) => {
    res.json(SUNNY.body);
  });
  const { url, close } = await listenLocal(app);
  return { url, close, scheme, facilitatorClient };
}

/** Options of {@link serveOurBatchServer}. */
export type OurBatchServerOptions = BatchServerTerms & {
  /** The scheme (`createBatchSettlementEvmServer(...)`). */
  scheme: SchemeServer;
  /** Our middleware to serve it with; default Express. */
  framework?: 'express' | 'hono';
  /** The paid `GET` routes by path and what each answers per call; default `/weather` sunny. */
  routes?: Record<string, () => BatchRouteAnswer>;
};

/**
 * Our resource server with `scheme` behind our Express or Hono middleware.
 *
 * @example
 * const ours = await serveOurBatchServer({ scheme, facilitatorUrl, network, payTo, framework: 'hono' })
 */
export async function serveOurBatchServer(options: OurBatchServerOptions): Promise<Running> {
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: options.facilitatorUrl }),
    schemes: [{ network: 'eip155:*', server: options.scheme }],
  });
  await resourceServer.initialize();
  const accepts = {
    scheme: 'batch-settlement',
    network: options.network,
    payTo: options.payTo,
    price: options.price ?? '$0.001',
  };
  const handlers = options.routes ?? { '/weather': () => SUNNY };
  const routes: RoutesConfig = Object.fromEntries(
    Object.keys(handlers).map((path) => [`GET ${path}`, { accepts, description: path.slice(1) }]),
  );
  if (options.framework === 'hono') {
    const app = new Hono();
    app.use(honoPayments(routes, resourceServer));
    for (const [path, answer] of Object.entries(handlers))
      app.get(path, (c) => {
        const { status, body } = answer();
        return c.json(body, (status ?? 200) as 200);
      });
    const { url, close } = await listenLocal(getRequestListener(app.fetch));
    return { url, close };
  }
  const app = express();
  app.use(expressPayments(routes, resourceServer));
  for (const [path, answer] of Object.entries(handlers))
    app.get(path, (_req, res) => {
      const { status, body } = answer();
      res.status(status ?? 200).json(body);
    });
  const { url, close } = await listenLocal(app);
  return { url, close };
}
