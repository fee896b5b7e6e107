/**
 * Next.js (App Router, 15 and 16) adapter. Route handlers already speak Web `Request` ->
 * `Response`, so {@link withX402} is the core's `handle` around one handler: the full flow,
 * settlement after a success response included. {@link paymentMiddleware} is for `proxy.ts`
 * (Next 16) or `middleware.ts` (Next 15): it answers 402 and verifies in front of pages, but a
 * proxy never sees the page's status, so it settles BEFORE the page renders (the page is then
 * served unconditionally; a failing page still costs the payer). Prefer `withX402` for route
 * handlers.
 */
import type { ResourceServer } from '@x402kit/core';
import { NextResponse } from 'next/server.js';
import { toWebResponse } from './buffered-response.js';
import type { RouteConfig, RoutesConfig } from './route-table.js';
import {
  createPaymentHandler,
  type PaymentHandler,
  type PaymentHandlerOptions,
  webRequestInput,
} from './server.js';

/** Options of {@link withX402} and {@link paymentMiddleware}: everything of `createPaymentHandler` but the routes and server. */
export type NextPaymentOptions = Omit<PaymentHandlerOptions, 'routes' | 'server'>;

/** A Next.js App Router route handler (`export const GET = ...`). */
export type NextRouteHandler<C = unknown, R extends Request = Request> = (
  request: R,
  context: C,
) => Response | Promise<Response>;

/**
 * Charge one App Router route handler: every request to it must pay per `route`. The handler
 * runs at most once per payment and only after the payment verified; its response is held, then
 * sent with `PAYMENT-RESPONSE` once the payment settles. A response with status >= 400 is sent
 * without settling (the payer is not charged). The payment core is built on the first request,
 * so `next build` (which imports route modules) does not call the facilitator.
 *
 * @example
 * // app/api/weather/route.ts
 * export const GET = withX402(
 *   async () => Response.json({ forecast: 'sunny' }),
 *   { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' } },
 *   server,
 * );
 */
export function withX402<C = unknown, R extends Request = Request>(
  handler: NextRouteHandler<C, R>,
  route: RouteConfig,
  server: ResourceServer,
  options: NextPaymentOptions = {},
): NextRouteHandler<C, R> {
  let payments: PaymentHandler | undefined;
  return (request, context) => {
    payments ??= createPaymentHandler({ ...options, routes: route, server });
    return payments.handle(request, async () => handler(request, context));
  };
}

/**
 * Payment middleware for Next's `proxy.ts` (Next 16; export it as `proxy`) or `middleware.ts`
 * (Next 15; export it as `middleware`). Unpaid requests to a matching route get the 402; a paid
 * one is verified and SETTLED here, then passed on (`NextResponse.next()` with
 * `PAYMENT-RESPONSE`), because a proxy cannot see the status the page or handler will answer.
 * Unmatched requests pass through. Use {@link withX402} to settle only after a success response.
 *
 * @example
 * // proxy.ts
 * export const proxy = paymentMiddleware(
 *   { 'GET /premium/*': { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.01' } } },
 *   server,
 * );
 * export const config = { matcher: '/premium/:path*' };
 */
export function paymentMiddleware(
  routes: RoutesConfig,
  server: ResourceServer,
  options: NextPaymentOptions = {},
): (request: Request) => Promise<Response> {
  let payments: PaymentHandler | undefined;
  return async (request) => {
    payments ??= createPaymentHandler({ ...options, routes, server });
    const lookup = payments.match(request.method, request.url);
    if (lookup.type === 'unprotected') return NextResponse.next();
    const result = await payments.processRequest(
      webRequestInput(request),
      async () => NextResponse.next(),
      lookup,
    );
    if (result.type === 'unprotected') return NextResponse.next();
    return toWebResponse(result.type === 'reply' ? result.reply : result.response);
  };
}
