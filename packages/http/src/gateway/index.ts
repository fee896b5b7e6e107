/**
 * @x402kit/http/gateway: put an HTTP API behind x402 without touching its code. A reverse proxy
 * whose paid routes go through the payment core (402 unpaid, verify, forward, settle on an upstream
 * success, `PAYMENT-RESPONSE`), with the same route syntax and prices as the middleware. Node only
 * (the upstream is called with `node:http`).
 */

export type { RequestClient } from '../node.js';
export type { Gateway, GatewayOptions } from './gateway.js';
export { createGateway } from './gateway.js';
export type { GatewayConfig, GatewayFacilitator } from './gateway-config.js';
export { checkGatewayConfig, GatewayReasons } from './gateway-config.js';
