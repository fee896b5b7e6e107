/**
 * Express (4 and 5) adapter. It only translates: an Express request becomes the core's input,
 * the rest of the Express chain runs with its output held (every write path, `res.json`,
 * `res.send`, `pipe`, `sendFile`, ends in `writeHead`/`write`/`end`), and the core's decision
 * is written back. The payment flow itself is `createPaymentHandler` in `server.ts`.
 */

import type { ResourceServer } from '@x402kit/core';
import type { Request as ExpressRequest, RequestHandler } from 'express';
import { createNodeMiddleware, requestUrl, toWebRequest } from './node.js';
import type { RoutesConfig } from './route-table.js';
import { createPaymentHandler, type PaymentHandler, type PaymentHandlerOptions } from './server.js';

/** Options of {@link paymentMiddleware}: everything of `createPaymentHandler` but the routes and server. */
export type ExpressPaymentOptions = Omit<PaymentHandlerOptions, 'routes' | 'server'>;

/**
 * Express payment middleware. Route keys match `req.url` (relative to where the middleware is
 * mounted); the default resource URL is `req.protocol://Host + req.originalUrl`.
 * `await middleware.ready()` before `listen` fails fast when a route's scheme and network are not
 * supported by the facilitator (see `PaymentHandler.ready`); without it, such a route answers 503.
 * If a body parser ran before it, `ctx.request` carries `req.body` re-serialized; otherwise
 * reading `ctx.request`'s body consumes the request stream (mount the parser first if both
 * route functions and handlers need the body).
 *
 * @example
 * const app = express();
 * const paid = paymentMiddleware({ 'GET /weather': { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' } } }, server);
 * await paid.ready(); // throws missing_facilitator if the facilitator does not serve exact on eip155:84532
 * app.use(paid);
 * app.get('/weather', (req, res) => res.json({ forecast: 'sunny' }));
 */
export function paymentMiddleware(
  routes: RoutesConfig,
  server: ResourceServer,
  options: ExpressPaymentOptions = {},
): RequestHandler & Pick<PaymentHandler, 'ready'> {
  const handler = createPaymentHandler({ ...options, routes, server });
  return Object.assign(paymentMiddlewareFromHandler(handler), { ready: () => handler.ready() });
}

/**
 * Express middleware over an existing payment core (share one core between adapters).
 *
 * @example
 * const payments = createPaymentHandler({ routes, server });
 * app.use(paymentMiddlewareFromHandler(payments));
 */
export function paymentMiddlewareFromHandler(handler: PaymentHandler): RequestHandler {
  const middleware = createNodeMiddleware<ExpressRequest>(handler, {
    target: (req) => req.url,
    url: expressUrl,
    request: expressRequest,
  });
  return (req, res, next) => middleware(req, res, next);
}

function expressUrl(req: ExpressRequest): string {
  const host = req.get('host');
  // an absolute-form request target (`GET http://host/path`, RFC 9112 3.2.2) is the URL itself
  if (!host || /^https?:\/\//i.test(req.originalUrl)) return requestUrl(req);
  return `${req.protocol}://${host}${req.originalUrl}`;
}

/** The request as a Web `Request`; a body a parser already read is re-serialized from `req.body`. */
function expressRequest(req: ExpressRequest): Request {
  const url = expressUrl(req);
  const consumed = req.readableEnded || Reflect.get(req, '_body') === true;
  if (!consumed) return toWebRequest(req, { url });
  return toWebRequest(req, { url, body: serializeParsedBody(req.body, req.get('content-type') ?? '') });
}

function serializeParsedBody(body: unknown, contentType: string): BodyInit | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new Uint8Array(body);
  if (contentType.includes('application/x-www-form-urlencoded') && typeof body === 'object') {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(body)) {
      if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
      else if (value !== undefined)
        params.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    return params;
  }
  return JSON.stringify(body);
}
