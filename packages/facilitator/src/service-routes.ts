/**
 * The facilitator service's route table, routed by hono: one list of endpoints, registered in a
 * hono `RegExpRouter` (the transport-neutral `handle`, which the Node server calls without building
 * a `Request`) and in a `Hono` app (the Web-standard `fetch`). Paths are matched without query,
 * fragment or trailing slash (`pathOf`); `GET` routes answer `HEAD`; a known path with another
 * method is a 405 naming the right one.
 */
import { Hono } from 'hono';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { pathOf, readStream } from './service-http.js';
import type {
  FacilitatorEndpoint,
  ServiceExchange,
  ServiceReply,
  ServiceRequestEvent,
} from './service-types.js';

/** One request on its way through the service: what arrived and what the answer records. */
export type ServiceCall = {
  exchange: ServiceExchange;
  /** The request path, without query, fragment or trailing slash. */
  path: string;
  /** What the observers receive once the answer is ready; steps fill it in. */
  event: ServiceRequestEvent;
};

/** One entry of the table: an endpoint at a path, for a method (`ALL`: any). */
export type ServiceRouteEntry = {
  method: 'GET' | 'POST' | 'ALL';
  path: string;
  endpoint: FacilitatorEndpoint;
  answer(call: ServiceCall): Promise<ServiceReply>;
};

/** Runs an entry (or, for `undefined`, the 404) with the service's timing, errors and observers. */
export type Dispatch = (
  exchange: ServiceExchange,
  path: string,
  entry: ServiceRouteEntry | undefined,
) => Promise<ServiceReply>;

/**
 * Route the table with hono's `RegExpRouter`: the entry for a method and path, `HEAD` as `GET`.
 *
 * @example
 * const find = createServiceRouter(entries)
 * find('POST', '/verify') // the verify entry
 */
export function createServiceRouter(
  entries: readonly ServiceRouteEntry[],
): (method: string, path: string) => ServiceRouteEntry | undefined {
  const router = new RegExpRouter<ServiceRouteEntry>();
  for (const entry of entries) router.add(entry.method, entry.path, entry);
  return (method, path) => router.match(method === 'HEAD' ? 'GET' : method, path)[0][0]?.[0];
}

/**
 * The service as a `Hono` app: each entry a route, anything else the 404; the answer is the
 * dispatched reply as a `Response` (no body for `HEAD`).
 *
 * @example
 * const app = createServiceApp(entries, dispatch)
 * const response = await app.fetch(new Request('http://localhost/supported'))
 */
export function createServiceApp(entries: readonly ServiceRouteEntry[], dispatch: Dispatch): Hono {
  const app = new Hono({ getPath: (request) => pathOf(request.url) });
  const respond = async (request: Request, entry: ServiceRouteEntry | undefined) => {
    const reply = await dispatch(webExchange(request), pathOf(request.url), entry);
    return new Response(request.method === 'HEAD' ? null : reply.body, {
      status: reply.status,
      headers: reply.headers,
    });
  };
  for (const entry of entries) {
    app.on(entry.method, entry.path, (c) => respond(c.req.raw, entry));
  }
  app.notFound((c) => respond(c.req.raw, undefined));
  return app;
}

function webExchange(request: Request): ServiceExchange {
  return {
    method: request.method,
    path: request.url,
    headers: request.headers,
    readBody: (limit) => readStream(request.body, limit),
  };
}
