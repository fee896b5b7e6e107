/**
 * Hono adapter. It only translates: the core runs on `c.req.raw`, the rest of the chain runs
 * through `next()` and its `c.res` is handed to the core (which buffers it), and the core's
 * decision replaces `c.res`. The payment flow itself is `createPaymentHandler` in `server.ts`.
 */
import type { ResourceServer } from '@x402kit/core';
import type { MiddlewareHandler } from 'hono';
import { type PaymentReply, toWebResponse } from './buffered-response.js';
import { mergeExposeHeaders } from './response-headers.js';
import type { RoutesConfig } from './route-table.js';
import {
  createPaymentHandler,
  type PaymentHandler,
  type PaymentHandlerOptions,
  webRequestInput,
} from './server.js';

/** Options of {@link paymentMiddleware}: everything of `createPaymentHandler` but the routes and server. */
export type HonoPaymentOptions = Omit<PaymentHandlerOptions, 'routes' | 'server'>;

/**
 * Hono payment middleware. Route keys match the path of the full request URL (for a sub-app
 * mounted with `app.route('/api', sub)`, write `/api/...`). `await middleware.ready()` at startup
 * fails fast when the facilitator does not support a route (see `PaymentHandler.ready`).
 *
 * @example
 * const app = new Hono();
 * app.use(paymentMiddleware({ 'GET /weather': { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' } } }, server));
 * app.get('/weather', (c) => c.json({ forecast: 'sunny' }));
 */
export function paymentMiddleware(
  routes: RoutesConfig,
  server: ResourceServer,
  options: HonoPaymentOptions = {},
): MiddlewareHandler & Pick<PaymentHandler, 'ready'> {
  const handler = createPaymentHandler({ ...options, routes, server });
  return Object.assign(paymentMiddlewareFromHandler(handler), { ready: () => handler.ready() });
}

/**
 * Hono middleware over an existing payment core (share one core between adapters).
 *
 * @example
 * app.use(paymentMiddlewareFromHandler(createPaymentHandler({ routes, server })));
 */
export function paymentMiddlewareFromHandler(handler: PaymentHandler): MiddlewareHandler {
  return async (c, next) => {
    const request = c.req.raw;
    const lookup = handler.match(request.method, request.url);
    if (lookup.type === 'unprotected') {
      await next();
      return;
    }
    // Headers earlier middleware put on the response (CORS...) survive on our own replies.
    const before = new Headers(c.res.headers);
    const result = await handler.processRequest(
      webRequestInput(request),
      async () => {
        await next();
        return c.res;
      },
      lookup,
    );
    if (result.type === 'unprotected') {
      await next();
      return;
    }
    const response =
      result.type === 'response' ? toWebResponse(result.response) : replyOver(before, result.reply);
    // Assigning over an existing c.res makes Hono copy the old headers in: clear it first.
    c.res = undefined;
    c.res = response;
  };
}

function replyOver(before: Headers, reply: PaymentReply): Response {
  const headers = new Headers(before);
  for (const [name, value] of Object.entries(reply.headers)) {
    if (name.toLowerCase() === 'access-control-expose-headers')
      headers.set(name, mergeExposeHeaders(headers.get(name)));
    else headers.set(name, value);
  }
  return toWebResponse({
    status: reply.status,
    statusText: '',
    headers,
    body: typeof reply.body === 'string' ? new TextEncoder().encode(reply.body) : reply.body,
  });
}
