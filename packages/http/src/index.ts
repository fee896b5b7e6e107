/**
 * @x402kit/http: x402 over HTTP. The paying `fetch`, and a Web-standard (Request -> Response)
 * payment core that framework adapters (`@x402kit/http/express`, `/hono`, `/node`) put in
 * front of a route. This entry point imports nothing from Node or any framework.
 */

export type { Log, LogEvent, LogLevel } from '@x402kit/core';
export * from './buffered-response.js';
export * from './fetch.js';
export * from './normalize-path.js';
export * from './pending-settlement.js';
export * from './response-headers.js';
export * from './route-table.js';
export * from './server.js';
export * from './settlement-overrides.js';
