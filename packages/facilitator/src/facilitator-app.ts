/**
 * A whole facilitator deployment from a {@link ServiceConfig}: the EVM engine, the settlement ledger
 * (SQLite by default, PostgreSQL when configured) with its exactly-once hooks and reconciler, API
 * keys and rate limits, `/payments` queries, `/metrics` and an RPC + ledger `/health`.
 */
import { createApiKeyAuth } from './api-key-auth.js';
import { createEvmFacilitator, type EvmFacilitator } from './evm.js';
import { createHealthCheck } from './health-check.js';
import {
  createExactEvmReconciler,
  createLedgerHooks,
  createLedgerHttpHandler,
  createPostgresLedger,
  createSqliteLedger,
  identifyExactEvm,
  type PaymentLedger,
} from './ledger/index.js';
import type { Log } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createFacilitatorService, type FacilitatorService, type ServiceRoute } from './service.js';
import type { ServiceConfig } from './service-config.js';

export type FacilitatorApp = {
  service: FacilitatorService;
  facilitator: EvmFacilitator;
  ledger: PaymentLedger;
  metrics?: Metrics;
  /** Stop the engine and close the ledger: call after the HTTP server drained. */
  close(): Promise<void>;
};

export type CreateFacilitatorAppOptions = {
  log?: Log;
  /** Given with `config.enableClose`, backs `POST /close`. */
  onClose?: () => void;
};

/**
 * Build the deployment.
 *
 * @example
 * const app = await createFacilitatorApp(await loadServiceConfig({ file: 'facilitator.yaml', env: process.env }))
 * const server = await startFacilitatorServer({ service: app.service, port: 4022 })
 * // shutdown: await server.close(); await app.close()
 */
export async function createFacilitatorApp(
  config: ServiceConfig,
  options: CreateFacilitatorAppOptions = {},
): Promise<FacilitatorApp> {
  const rpc = Object.fromEntries(Object.entries(config.networks).map(([network, { rpc }]) => [network, rpc]));
  const ledger =
    'postgres' in config.ledger
      ? await createPostgresLedger({
          url: config.ledger.postgres.url,
          ...(config.ledger.postgres.schema === undefined ? {} : { schema: config.ledger.postgres.schema }),
        })
      : await createSqliteLedger({ path: config.ledger.sqlite.path });
  const firstRpc = Object.fromEntries(
    Object.entries(rpc).flatMap(([network, urls]) => (urls[0] ? [[network, urls[0]]] : [])),
  );
  const hooks = createLedgerHooks({
    ledger,
    identify: identifyExactEvm,
    instanceId: config.instanceId,
    reconcile: createExactEvmReconciler({ rpc: firstRpc }),
    ...(options.log
      ? {
          onError: (error: unknown, context: { stage: string }) =>
            options.log?.({
              level: 'error',
              message: `ledger: ${context.stage} failed: ${error instanceof Error ? error.message : String(error)}`,
            }),
        }
      : {}),
  });
  const gas = config.limits.maxGasPerSettlement;
  let facilitator: EvmFacilitator;
  try {
    facilitator = createEvmFacilitator({
      rpc,
      privateKeys: config.signers.privateKeys,
      hooks,
      ...(config.fees === undefined ? {} : { fees: config.fees }),
      ...(gas === undefined
        ? {}
        : {
            exact: {
              gasLimit: BigInt(Math.min(gas, 120_000)),
              bytesGasLimit: BigInt(Math.min(gas, 300_000)),
            },
          }),
    });
  } catch (error) {
    await ledger.close();
    throw error;
  }

  const auth = createApiKeyAuth({ keys: config.apiKeys, anonymous: config.anonymous });
  const payments = createLedgerHttpHandler({ ledger });
  const routes: ServiceRoute[] = [
    {
      prefix: '/payments',
      endpoint: 'payments',
      async handle(exchange) {
        const request = new Request(new URL(exchange.path, 'http://facilitator.local'), {
          method: exchange.method,
        });
        const response = await payments(request);
        if (!response) return { status: 404, headers: { 'content-type': 'application/json' }, body: '{}' };
        return {
          status: response.status,
          headers: headersOf(response.headers),
          body: await response.text(),
        };
      },
    },
  ];
  const metrics = config.metrics.enabled ? createMetrics() : undefined;
  if (metrics) {
    routes.push({
      prefix: '/metrics',
      endpoint: 'metrics',
      public: true,
      async handle() {
        return {
          status: 200,
          headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
          body: metrics.render(),
        };
      },
    });
  }
  const service = createFacilitatorService({
    facilitator,
    bodyLimitBytes: config.limits.bodyBytes,
    authenticate: auth.authenticate,
    authorize: auth.authorize,
    checkHealth: createHealthCheck({ rpc, ledger }),
    routes,
    ...(options.log ? { log: options.log } : {}),
    ...(metrics ? { observe: metrics.observe } : {}),
    ...(config.enableClose && options.onClose ? { onClose: options.onClose } : {}),
    ...(facilitator.quoteFee ? { feeQuote: facilitator.quoteFee } : {}),
  });
  return {
    service,
    facilitator,
    ledger,
    ...(metrics ? { metrics } : {}),
    async close() {
      facilitator.close();
      await ledger.close();
    },
  };
}

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}
