/**
 * Fastify (5) adapter. It only translates, the way the Express adapter does: an `onRequest`
 * hook hands the raw Node request to the core, the rest of Fastify's lifecycle (body parsing,
 * validation, the handler, serializers, `onSend` hooks) runs with the raw response held (Fastify
 * ends every reply in `writeHead`/`write`/`end`), and the core's decision is written back. The
 * payment flow itself is `createPaymentHandler` in `server.ts`.
 */
import type { FastifyPluginCallback, onRequestHookHandler } from 'fastify';
import { createNodeMiddleware } from './node.js';
import { createPaymentHandler, type PaymentHandler, type PaymentHandlerOptions } from './server.js';

/** Options of {@link paymentPlugin}: the core's options, or a core already made (shared between adapters). */
export type FastifyPaymentOptions = PaymentHandlerOptions | { handler: PaymentHandler };

/**
 * Fastify payment plugin: charges the matching routes of the whole app (the plugin is not
 * encapsulated, like a `fastify-plugin` one). Route keys match the request URL as the client
 * sent it. A paid handler runs at most once per payment; its reply is held until the payment
 * settles, then sent with `PAYMENT-RESPONSE`; a reply with status >= 400 is sent unsettled.
 * Route functions that read `ctx.request`'s body consume the request stream before Fastify's
 * body parser: read the body in the handler instead.
 *
 * @example
 * const app = Fastify();
 * await app.register(paymentPlugin, {
 *   server,
 *   routes: { 'GET /weather': { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' } } },
 * });
 * app.get('/weather', async () => ({ forecast: 'sunny' }));
 */
export const paymentPlugin: FastifyPluginCallback<FastifyPaymentOptions> = Object.assign(
  (
    app: Parameters<FastifyPluginCallback<FastifyPaymentOptions>>[0],
    options: FastifyPaymentOptions,
    done: (error?: Error) => void,
  ) => {
    const handler = 'handler' in options ? options.handler : createPaymentHandler(options);
    app.addHook('onRequest', paymentHook(handler));
    done();
  },
  { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: '@x402kit/http/fastify' },
);

/**
 * The `onRequest` hook behind {@link paymentPlugin}, for adding it to one encapsulated context
 * only (route keys still match the full request URL).
 *
 * @example
 * app.register(async (paid) => {
 *   paid.addHook('onRequest', paymentHook(createPaymentHandler({ routes, server })));
 *   paid.get('/weather', async () => ({ forecast: 'sunny' }));
 * });
 */
export function paymentHook(handler: PaymentHandler): onRequestHookHandler {
  const middleware = createNodeMiddleware(handler);
  return (request, reply, done) => {
    middleware(request.raw, reply.raw, (error?: unknown) => {
      if (error === undefined) done();
      else done(error instanceof Error ? error : new Error(String(error)));
    });
  };
}
