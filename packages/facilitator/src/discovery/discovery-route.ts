/**
 * `GET /discovery/resources` (the bazaar list, as the reference's `withBazaar` client asks it):
 * query `type`, `limit` (1-100, default 20), `offset`, and the filters `payTo`, `scheme`,
 * `network`, `extensions`; answer `{ x402Version: 2, items, pagination: { limit, offset, total } }`.
 * A parameter it cannot read is a 400 naming it (`invalid_discovery_query`). Public, like
 * `/supported`: the catalog is what sellers asked to be listed in.
 */
import { parseDiscoveryQuery, X402Error } from '@x402kit/core';
import type { ServiceReply, ServiceRoute } from '../service-types.js';
import type { DiscoveryStore } from './discovery-store.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

function reply(status: number, body: unknown, error?: string): ServiceReply {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(body), ...(error ? { error } : {}) };
}

/**
 * The service route of the discovery list.
 *
 * @example
 * createFacilitatorService({ facilitator, routes: [createDiscoveryRoute(catalog)] })
 */
export function createDiscoveryRoute(store: DiscoveryStore): ServiceRoute {
  return {
    prefix: '/discovery',
    endpoint: 'discovery',
    public: true,
    async handle(exchange) {
      const url = new URL(exchange.path, 'http://facilitator.local');
      const path = url.pathname.replace(/\/+$/, '');
      if (path !== '/discovery/resources') return reply(404, { error: 'not_found' }, 'not_found');
      if (exchange.method !== 'GET' && exchange.method !== 'HEAD') {
        return {
          ...reply(405, { error: 'method_not_allowed', message: 'use GET' }, 'method_not_allowed'),
          headers: { ...JSON_HEADERS, allow: 'GET, HEAD' },
        };
      }
      let query: ReturnType<typeof parseDiscoveryQuery>;
      try {
        query = parseDiscoveryQuery(url.searchParams);
      } catch (error) {
        if (!(error instanceof X402Error)) throw error;
        return reply(400, { error: error.reason, message: error.message }, error.reason);
      }
      const { items, total } = await store.list(query);
      return reply(200, {
        x402Version: 2,
        items,
        pagination: { limit: query.limit, offset: query.offset, total },
      });
    },
  };
}
