/**
 * What the payment core reads from a request, and the route context built from it: adapters
 * give a {@link PaymentRequestInput}; route functions receive a `RouteContext`.
 */
import { Reasons, X402Error } from '@x402kit/core';
import type { CompiledRoute, RouteContext } from './route-table.js';

/**
 * One request as the core sees it. Adapters may implement `url` and `request` as lazy getters:
 * they are read only for protected routes.
 */
export type PaymentRequestInput = {
  /** HTTP method as received. */
  readonly method: string;
  /** Request target used for route matching: origin-form path (`/a?b`) or an absolute URL. */
  readonly target: string;
  /** Absolute request URL: the default resource URL and `ctx.url`. */
  readonly url: string;
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
  /** The Web request, for route functions (`ctx.request`). */
  readonly request: Request;
};

/**
 * A {@link PaymentRequestInput} over a Web `Request`.
 *
 * @example
 * const result = await payments.processRequest(webRequestInput(request), () => app.fetch(request));
 */
export function webRequestInput(request: Request): PaymentRequestInput {
  return {
    method: request.method,
    target: request.url,
    url: request.url,
    header: (name) => request.headers.get(name) ?? undefined,
    request,
  };
}

/** The route context of one request. */
export function createContext(
  input: PaymentRequestInput,
  path: string,
  params: Record<string, string>,
): RouteContext {
  const method = input.method.toUpperCase();
  return {
    get request() {
      return input.request;
    },
    method,
    path,
    params,
    get url() {
      return input.url;
    },
  };
}

/** A context for building a fixed-price route's offers before any request. */
export function warmupContext(route: CompiledRoute): RouteContext {
  const unavailable = (): never => {
    throw new X402Error(
      Reasons.invalidPaymentRequirements,
      `route "${route.key}": no request during warm-up`,
    );
  };
  return {
    get request(): Request {
      return unavailable();
    },
    method: route.verb === '*' ? 'GET' : route.verb,
    path: route.pattern,
    params: {},
    get url(): string {
      return unavailable();
    },
  };
}
