/**
 * The deployment's extra routes: `/payments` (the ledger's queries, behind authentication, the
 * address forms asked of the chain modules), the public `/discovery/resources` (the bazaar catalog)
 * and, when metrics are enabled, a public `/metrics`.
 */
import { type ChainModule, chainLedgerAddress } from '@x402kit/core';
import { createDiscoveryRoute, type DiscoveryStore } from './discovery/index.js';
import { createLedgerHttpHandler, type PaymentLedger } from './ledger/index.js';
import type { Metrics } from './metrics.js';
import type { ServiceReply, ServiceRoute } from './service-types.js';

/**
 * Build the routes for a deployment's ledger and metrics.
 *
 * @example
 * createFacilitatorService({ facilitator, routes: buildRoutes(ledger, modules, metrics) })
 */
export function buildRoutes(
  ledger: PaymentLedger,
  modules: readonly ChainModule[],
  metrics: Metrics | undefined,
  discovery?: DiscoveryStore,
): ServiceRoute[] {
  const payments = createLedgerHttpHandler({
    ledger,
    ledgerAddress: (address) => chainLedgerAddress(modules, address),
  });
  const routes: ServiceRoute[] = [
    {
      prefix: '/payments',
      endpoint: 'payments',
      async handle(exchange): Promise<ServiceReply> {
        const request = new Request(new URL(exchange.path, 'http://facilitator.local'), {
          method: exchange.method,
        });
        const response = await payments(request);
        if (!response) return { status: 404, headers: { 'content-type': 'application/json' }, body: '{}' };
        return { status: response.status, headers: headersOf(response.headers), body: await response.text() };
      },
    },
  ];
  if (discovery) routes.push(createDiscoveryRoute(discovery));
  if (metrics) {
    routes.push({
      prefix: '/metrics',
      endpoint: 'metrics',
      public: true,
      async handle() {
        return {
          status: 200,
          headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
          body: await metrics.render(),
        };
      },
    });
  }
  return routes;
}

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}
