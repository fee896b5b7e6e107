/** How {@link startFlowApp} starts an app: `facilitator: 'down'` gives it one that cannot be reached. */
export type StartFlowOptions = { facilitator?: 'up' | 'down'; v1UnpaidBody?: boolean };

/**
 * The payment flows every HTTP adapter must get right (Web core, Node, Express, Hono), as small
 * helpers: `FLOW_ADAPTERS` builds the same routes and handlers on each adapter, `startFlowApp` serves
 * one over real HTTP on 127.0.0.1 with its own test-ledger stack and hit counters. The flows
 * themselves are plain node:test files in @x402kit/http (`src/flows/*.test.ts`), one per flow.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import {
  type AnyPaymentRequired,
  decodePaymentRequiredHeader,
  type Log,
  type ResourceServer,
} from '@x402kit/core';
import { createPaymentHandler, type RoutesConfig, setSettlementOverrides } from '@x402kit/http';
import { paymentMiddleware as expressPaymentMiddleware } from '@x402kit/http/express';
import { paymentMiddleware as honoPaymentMiddleware } from '@x402kit/http/hono';
import { createNodeMiddleware, listen, serve, toWebRequest, writeWebResponse } from '@x402kit/http/node';
import express from 'express';
import { Hono } from 'hono';
import { createDownStack, createTestStack, PAID_CONTENT, type TestStack, testRoutes } from './test-stack.js';
import { createWebApp, type Hits, newHits } from './web-app.js';

/** What an adapter's app factory receives. */
export type AppSetup = {
  routes: RoutesConfig;
  server: ResourceServer;
  options: { log?: Log; v1UnpaidBody?: boolean };
  hits: Hits;
};

/** Starts the adapter's app on a free port. */
export type StartApp = (setup: AppSetup) => Promise<{ url: string; close(): Promise<void> }>;

/** One adapter under test: its name, its app factory, and whether the app sets headers before paying. */
export type FlowAdapter = {
  readonly name: string;
  readonly start: StartApp;
  /** The app sets `Access-Control-Expose-Headers: X-Request-Id` and `X-Pre: yes` before the payment middleware. */
  readonly preHeaders: boolean;
};

/** A started adapter app with its own stack and counters. */
export type FlowApp = {
  readonly adapter: FlowAdapter;
  readonly stack: TestStack;
  readonly hits: Hits;
  /** The app's base URL (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** `url` + `path`. */
  at(path: string): string;
  close(): Promise<void>;
};

/**
 * The decoded `PAYMENT-REQUIRED` header of a response (asserted present).
 *
 * @example required(await fetch(app.at('/paid'))).x402Version // 2
 */
export function required(response: Response): AnyPaymentRequired {
  const header = response.headers.get('PAYMENT-REQUIRED');
  assert.ok(header, `expected a PAYMENT-REQUIRED header (status ${response.status})`);
  return decodePaymentRequiredHeader(header);
}

/**
 * The `error` of a response's `PAYMENT-REQUIRED` header.
 *
 * @example errorOf(res) // 'insufficient_funds'
 */
export function errorOf(response: Response): string | undefined {
  return required(response).error;
}

/** Path tricks that must never reach the protected `GET /paid` handler unpaid. */
export const BYPASS_PATHS = [
  '/paid%2F..%2Ffree',
  '/PAID',
  '//paid',
  '/paid/',
  '/free/../paid',
  '/paid%00',
  '/%ZZpaid',
  '/\\paid',
  '/paid;jsessionid=x',
  '/paid?x=1',
  '/paid#frag',
  '/p%61id',
  '/./paid',
  '/paid%2F',
  '/files%2Fsecret',
  '/FILES/a/b',
];

const HEADER_LIMIT = { maxHeaderSize: 64 * 1024 };

/** The Web-standard core: `createPaymentHandler(...).handle` in front of the lenient Web app. */
const webCore: StartApp = async ({ routes, server, options, hits }) => {
  const payments = createPaymentHandler({ routes, server, ...options });
  const app = createWebApp(hits);
  return serve((request) => payments.handle(request, app), HEADER_LIMIT);
};

/** The Node middleware in front of the lenient Web app, after a middleware that sets headers. */
const nodeMiddleware: StartApp = async ({ routes, server, options, hits }) => {
  const web = createWebApp(hits);
  const pay = createNodeMiddleware(createPaymentHandler({ routes, server, ...options }));
  return listen((req, res) => {
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id');
    res.setHeader('X-Pre', 'yes');
    pay(req, res, (error) => {
      if (error) {
        res.statusCode = 500;
        res.end();
      } else void web(toWebRequest(req)).then((response) => writeWebResponse(res, response));
    });
  }, HEADER_LIMIT);
};

/** An Express app with the payment middleware and the test routes. */
const expressApp: StartApp = async ({ routes, server, options, hits }) => {
  const app = express();
  app.use((_req, res, next) => {
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id');
    res.setHeader('X-Pre', 'yes');
    next();
  });
  app.use(express.text({ type: '*/*' }));
  app.use(expressPaymentMiddleware(routes, server, options));
  app.get('/free', (_req, res) => {
    hits.free++;
    res.send('free');
  });
  app.get('/paid', (_req, res) => {
    hits.paid++;
    res.set('x-handler', 'paid').json({ content: PAID_CONTENT });
  });
  app.post('/echo', (req, res) => {
    hits.echo++;
    res.json({ content: PAID_CONTENT, echo: req.body });
  });
  app.get('/broken', (_req, res) => {
    hits.broken++;
    res.status(500).json({ error: 'boom' });
  });
  app.get('/metered', (_req, res) => {
    hits.metered++;
    setSettlementOverrides(res, { amount: '50%' });
    res.send(PAID_CONTENT);
  });
  app.get('/city/:name', (_req, res) => {
    hits.city++;
    res.send(PAID_CONTENT);
  });
  app.get('/files/*rest', (_req, res) => {
    hits.files++;
    res.send(PAID_CONTENT);
  });
  return listen(app, HEADER_LIMIT);
};

/** A Hono app with the payment middleware and the test routes. */
const honoApp: StartApp = async ({ routes, server, options, hits }) => {
  const app = new Hono();
  app.use(async (c, next) => {
    c.header('Access-Control-Expose-Headers', 'X-Request-Id');
    c.header('X-Pre', 'yes');
    await next();
  });
  app.use(honoPaymentMiddleware(routes, server, options));
  app.get('/free', (c) => {
    hits.free++;
    return c.text('free');
  });
  app.get('/paid', (c) => {
    hits.paid++;
    c.header('x-handler', 'paid');
    return c.json({ content: PAID_CONTENT });
  });
  app.post('/echo', async (c) => {
    hits.echo++;
    return c.json({ content: PAID_CONTENT, echo: await c.req.text() });
  });
  app.get('/broken', (c) => {
    hits.broken++;
    return c.json({ error: 'boom' }, 500);
  });
  app.get('/metered', (c) => {
    hits.metered++;
    const response = c.text(PAID_CONTENT);
    setSettlementOverrides(response, { amount: '50%' });
    return response;
  });
  app.get('/city/:name', (c) => {
    hits.city++;
    return c.text(PAID_CONTENT);
  });
  app.get('/files/*', (c) => {
    hits.files++;
    return c.text(PAID_CONTENT);
  });
  return listen(getRequestListener(app.fetch), HEADER_LIMIT);
};

/** Every adapter the flows run on, with the same routes and handlers. */
export const FLOW_ADAPTERS: readonly FlowAdapter[] = [
  { name: 'web core (handle)', start: webCore, preHeaders: false },
  { name: 'node middleware', start: nodeMiddleware, preHeaders: true },
  { name: 'express', start: expressApp, preHeaders: true },
  { name: 'hono', start: honoApp, preHeaders: true },
];

/**
 * Serve the test routes on `adapter` with a fresh test-ledger stack (`facilitator: 'down'`: one
 * whose facilitator cannot be reached) and fresh hit counters. Close it when the test ends.
 *
 * @example
 * const app = await startFlowApp(adapter);
 * t.after(() => app.close());
 * assert.equal((await fetch(app.at('/paid'))).status, 402);
 */
export async function startFlowApp(adapter: FlowAdapter, options: StartFlowOptions = {}): Promise<FlowApp> {
  const stack = options.facilitator === 'down' ? await createDownStack() : createTestStack();
  const hits = newHits();
  const handlerOptions = options.v1UnpaidBody ? { v1UnpaidBody: true } : {};
  const served = await adapter.start({
    routes: testRoutes(),
    server: stack.server,
    options: handlerOptions,
    hits,
  });
  return {
    adapter,
    stack,
    hits,
    url: served.url,
    at: (path) => `${served.url}${path}`,
    close: () => served.close(),
  };
}

/**
 * One flow test per adapter (the ones `only` keeps; default all), each titled `<adapter>: <title>`
 * and run on its own app from {@link startFlowApp}, closed when the test ends.
 *
 * @example
 * flowTest('lets unprotected requests through untouched', async (app) => {
 *   assert.equal((await fetch(app.at('/free'))).status, 200);
 * });
 */
export function flowTest(
  title: string,
  run: (app: FlowApp) => Promise<void>,
  options: StartFlowOptions & { only?: (adapter: FlowAdapter) => boolean } = {},
): void {
  const { only, ...start } = options;
  for (const adapter of only ? FLOW_ADAPTERS.filter(only) : FLOW_ADAPTERS) {
    test(`${adapter.name}: ${title}`, async (t) => {
      const app = await startFlowApp(adapter, start);
      t.after(() => app.close());
      await run(app);
    });
  }
}
