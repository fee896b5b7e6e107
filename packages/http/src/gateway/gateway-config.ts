/**
 * The gateway's config (its type and its own checks; the routes are checked by the route table) and its
 * reason codes: a bad config, and the upstream failures its 502/504 answers name.
 */
import { defineReasons, X402Error } from '@x402kit/core';
import type { RouteConfig } from '../route-table.js';

/** The facilitator the gateway verifies and settles with. */
export type GatewayFacilitator = {
  /** Base URL, e.g. `http://127.0.0.1:4022`. */
  url: string;
  /** Sent as `X-API-KEY`. */
  apiKey?: string;
  /** Sent as `Authorization: Bearer ...`. */
  bearerToken?: string;
};

/** What the gateway sells and where it forwards; see `createGateway`. */
export type GatewayConfig = {
  /** Base URL of the API behind the gateway; its path is a prefix of every forwarded path. */
  upstream: string;
  facilitator: GatewayFacilitator;
  /** Paid routes, exactly as the payment middleware takes them (`"GET /weather/:city"` -> `{ accepts }`). */
  routes: Record<string, RouteConfig>;
  /** Requests no route matches: `'proxy'` (default) forwards them free, `'refuse'` answers 404. */
  unlistedRoutes?: 'proxy' | 'refuse';
  /** How long to wait for the upstream's response headers, in ms; default 30 000 (then 504). */
  upstreamTimeoutMs?: number;
  /**
   * A paid answer up to this size is held whole before settling (so a retry of a pending settlement
   * or of a payment id gets it again); a longer one is settled once its status and headers arrive
   * and its body streams through. Default 1 MiB.
   */
  holdBodyBytes?: number;
};

/**
 * Reason codes of the gateway: a refused config, a request no route serves (`unlistedRoutes:
 * 'refuse'`), and the upstream failures that end a paid request without settling it.
 *
 * @example
 * if (body.error === GatewayReasons.upstreamTimeout) console.log('not charged: the API was too slow')
 */
export const GatewayReasons = defineReasons('@x402kit/http/gateway', {
  /** The gateway config is invalid (the message names the field). */
  invalidConfig: 'invalid_gateway_config',
  /** No route of the gateway serves this request and unlisted routes are refused (404). */
  notFound: 'gateway_route_not_found',
  /** The upstream answered 5xx or its answer broke off (502, not settled). */
  upstreamError: 'upstream_error',
  /** The upstream refused the connection or could not be reached (502, not settled). */
  upstreamUnreachable: 'upstream_unreachable',
  /** The upstream sent no response headers in time (504, not settled). */
  upstreamTimeout: 'upstream_timeout',
});

/**
 * Throw `invalid_gateway_config` naming the first wrong field of `config` (the routes themselves
 * are checked when the route table compiles them).
 *
 * @example
 * checkGatewayConfig({ upstream: 'ftp://x', facilitator: { url: 'http://127.0.0.1:4022' }, routes: {} }) // throws: upstream must be an http(s) URL
 */
export function checkGatewayConfig(config: GatewayConfig): void {
  if (typeof config !== 'object' || config === null) fail('the config must be an object');
  httpUrl('upstream', config.upstream);
  if (typeof config.facilitator !== 'object' || config.facilitator === null) {
    fail('facilitator: expected an object with a url');
  }
  httpUrl('facilitator.url', config.facilitator.url);
  if (typeof config.routes !== 'object' || config.routes === null || Array.isArray(config.routes)) {
    fail('routes: expected a map of "METHOD /path" to route configs');
  }
  if (
    config.unlistedRoutes !== undefined &&
    config.unlistedRoutes !== 'proxy' &&
    config.unlistedRoutes !== 'refuse'
  ) {
    fail(`unlistedRoutes: expected "proxy" or "refuse", got ${JSON.stringify(config.unlistedRoutes)}`);
  }
  positiveInteger('upstreamTimeoutMs', config.upstreamTimeoutMs);
  positiveInteger('holdBodyBytes', config.holdBodyBytes);
}

function httpUrl(field: string, value: unknown): void {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    fail(`${field}: expected an http(s) URL, got ${JSON.stringify(value)}`);
  }
}

function positiveInteger(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    fail(`${field}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
}

function fail(message: string): never {
  throw new X402Error(GatewayReasons.invalidConfig, `gateway config: ${message}`);
}
