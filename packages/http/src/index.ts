/**
 * @x402kit/http: x402 over HTTP. The paying `fetch`, and a Web-standard (Request -> Response)
 * payment core that framework adapters (`@x402kit/http/express`, `/hono`, `/node`) put in
 * front of a route. This entry point imports nothing from Node or any framework.
 */

export type { Log, LogEvent, LogLevel } from '@x402kit/core';
export type { BufferedResponse, PaymentReply } from './buffered-response.js';
export type { FetchLike, OnPaymentRequired, PaymentRequiredEvent, WrapFetchOptions } from './fetch.js';
export { getPaymentResponse, readPaymentRequired, wrapFetchWithPayment } from './fetch.js';
export type { PaywallOptions } from './paywall/paywall-page.js';
export { isSettlementPending, retryAfterMs } from './pending-settlement.js';
export type {
  CompiledRoute,
  ResponseBody,
  RouteConfig,
  RouteContext,
  RouteLookup,
  RoutesConfig,
  RouteTable,
  SettleTiming,
} from './route-table.js';
export type {
  PaymentHandler,
  PaymentHandlerOptions,
  PaymentRequestInput,
  PaymentResult,
  RunHandler,
} from './server.js';
export { createPaymentHandler } from './server.js';
export type { HeaderTarget, SettlementOverrides } from './settlement-overrides.js';
export { setSettlementOverrides } from './settlement-overrides.js';
export type { SignInWithXOptions } from './sign-in-with-x.js';
export { signInWithX } from './sign-in-with-x.js';
