/**
 * A whole facilitator deployment from a {@link ServiceConfig}: the EVM engine, the settlement ledger
 * (SQLite by default, PostgreSQL when configured) with its exactly-once hooks, the background
 * reconciler of pending settlements, API keys and rate limits (shared through PostgreSQL when the
 * ledger is there), `/payments` queries, `/metrics`, relayer balance and nonce-lag monitoring,
 * access logs, OpenTelemetry traces when an endpoint is configured, and an RPC + ledger `/health`.
 * Its settlement keys are leased in the ledger's database first: a key another live instance holds
 * refuses the start with `SettlementKeyInUseError` (one sender per key, so nonces never collide).
 */
import { EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING } from '@x402kit/evm';
import { createAccessLog } from './access-log.js';
import { createApiKeyAuth } from './api-key-auth.js';
import { createEvmFacilitator, type EvmFacilitator } from './evm.js';
import {
  createPostgresGasSponsorStore,
  createSqliteGasSponsorStore,
  type GasSponsorStore,
  withSponsoredGasMetrics,
} from './gas-sponsoring/index.js';
import { createHealthCheck } from './health-check.js';
import {
  createIdempotentFacilitator,
  createPostgresIdempotencyStore,
  createSqliteIdempotencyStore,
  type IdempotencyStore,
  withPaymentIdentifierStatus,
} from './idempotency/index.js';
import {
  acquireKeyLeases,
  type ChainFamily,
  createPostgresKeyLeaseStore,
  createSqliteKeyLeaseStore,
  guardSettlements,
  type KeyLeaseStore,
  type KeyLeases,
  settlementKeysOf,
} from './key-lease/index.js';
import {
  createExactEvmReconciler,
  createExactPermitReconciler,
  createLedgerHooks,
  createLedgerHttpHandler,
  createPendingReconciler,
  createPermit2Reconciler,
  createPostgresLedger,
  createReceiptReconciler,
  createSqliteLedger,
  firstReconciler,
  identifyPayment,
  type PaymentLedger,
  type PendingReconciler,
  type Reconcile,
} from './ledger/index.js';
import { createJsonLog, type Log } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createPostgresRateLimiter, type PostgresRateLimiter } from './pg-rate-limiter.js';
import { createRelayerMonitor, type RelayerMonitor } from './relayer-monitor.js';
import { createFacilitatorService, type FacilitatorService, type ServiceRoute } from './service.js';
import type { ServiceConfig } from './service-config.js';
import type { HealthReport, ServiceRequestEvent } from './service-types.js';
import { createOtlpExporter, type OtlpExporter } from './telemetry/otlp-exporter.js';
import { createRequestTracer } from './telemetry/request-tracer.js';
import { createTronSchemes, type TronSchemes } from './tron.js';

export type FacilitatorApp = {
  service: FacilitatorService;
  facilitator: EvmFacilitator;
  ledger: PaymentLedger;
  metrics?: Metrics;
  /** The background sweep of pending settlements (absent when `reconciler.enabled` is false). */
  reconciler?: PendingReconciler;
  /** Relayer balances and nonce lag. */
  monitor: RelayerMonitor;
  /** Where the deployment logs (the given `log`, or the JSON-lines default). */
  log: Log;
  /** The span exporter, when `telemetry.otlpEndpoint` is set. */
  telemetry?: OtlpExporter;
  /** Gas spent on payers' behalf (approval top-ups, wallet deployments), per payment; also their budget. */
  gasSponsorships: GasSponsorStore;
  /** This instance's leases on its settlement keys (absent when `keyLease.enabled` is false). */
  keyLeases?: KeyLeases;
  /** Stop the sweeps and the monitor, stop the engine, flush spans, close the ledger: call after the HTTP server drained. */
  close(): Promise<void>;
};

export type CreateFacilitatorAppOptions = {
  /** Where events go; default JSON lines on stdout/stderr at `config.log.level`. */
  log?: Log;
  /**
   * Start the reconciler and the monitor at once; default true (tests drive them by hand with false).
   * The key-lease heartbeat always runs: without it the instance would stop settling.
   */
  autoStart?: boolean;
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
  const log =
    options.log ?? createJsonLog({ level: config.log.level, fields: { instance: config.instanceId } });
  const rpc = Object.fromEntries(Object.entries(config.networks).map(([network, { rpc }]) => [network, rpc]));
  // the ledger's database, which the idempotency store and (PostgreSQL) the rate limiter share
  const db: { postgres: { url: string; schema?: string } } | { sqlite: { path: string } } =
    'postgres' in config.ledger
      ? {
          postgres: {
            url: config.ledger.postgres.url,
            ...(config.ledger.postgres.schema === undefined ? {} : { schema: config.ledger.postgres.schema }),
          },
        }
      : { sqlite: { path: config.ledger.sqlite.path } };
  const ledger =
    'postgres' in db ? await createPostgresLedger(db.postgres) : await createSqliteLedger(db.sqlite);
  const firstRpc = Object.fromEntries(
    Object.entries(rpc).flatMap(([network, urls]) => (urls[0] ? [[network, urls[0]]] : [])),
  );
  const gas = config.limits.maxGasPerSettlement;
  const { receiptTimeoutMs, rpcTimeoutMs } = config.settlement;
  const { batching, stuckAfterMs, erc6492Factories } = config.evm;
  let tron: TronSchemes | undefined;
  let idempotency: IdempotencyStore | undefined;
  let facilitator: EvmFacilitator | undefined;
  let limiter: PostgresRateLimiter | undefined;
  let sponsorships: GasSponsorStore | undefined;
  let reconcile: Reconcile;
  let leaseStore: KeyLeaseStore | undefined;
  let keyLeases: KeyLeases | undefined;
  try {
    if (config.keyLease.enabled) {
      leaseStore =
        'postgres' in db
          ? await createPostgresKeyLeaseStore(db.postgres)
          : await createSqliteKeyLeaseStore(db.sqlite);
      const families: ChainFamily[] = [
        ...(Object.keys(config.networks).length > 0 ? (['evm'] as const) : []),
        ...(config.tron ? (['tron'] as const) : []),
      ];
      keyLeases = await acquireKeyLeases({
        store: leaseStore,
        keys: settlementKeysOf(config.signers.privateKeys, families),
        holder: config.instanceId,
        staleAfterMs: config.keyLease.staleAfterMs,
        log,
      });
      keyLeases.start();
    }
    tron = config.tron ? createTronSchemes(config.tron, config.signers.privateKeys) : undefined;
    await tron?.ready();
    reconcile = firstReconciler(
      createExactEvmReconciler({ rpc: firstRpc }),
      createPermit2Reconciler({ rpc: firstRpc }),
      createExactPermitReconciler({ rpc: firstRpc, ...(config.tron ? { tron: config.tron.networks } : {}) }),
      createReceiptReconciler({ rpc: firstRpc, ...(tron ? { tron: tron.nodes } : {}) }),
    );
    const hooks = createLedgerHooks({
      ledger,
      identify: identifyPayment,
      instanceId: config.instanceId,
      reconcile,
      claimLeaseMs: config.settlement.claimLeaseMs,
      reservationSkewMs: config.settlement.reservationSkewMs,
      onError: (error: unknown, context: { stage: string }) =>
        log({
          level: 'error',
          message: `ledger: ${context.stage} failed: ${error instanceof Error ? error.message : String(error)}`,
        }),
    });
    if (config.idempotency.enabled) {
      idempotency =
        'postgres' in db
          ? await createPostgresIdempotencyStore(db.postgres)
          : await createSqliteIdempotencyStore(db.sqlite);
    }
    // the budget of gas spent on payers' behalf, in the ledger's database so instances share it
    const { maxTopUpWei, perPayerPerDayWei, perKeyPerDayWei, ...sponsoring } = config.evm.gasSponsoring;
    const limits = { maxTopUpWei, perPayerPerDayWei, perKeyPerDayWei };
    sponsorships =
      'postgres' in db
        ? await createPostgresGasSponsorStore({ ...db.postgres, limits })
        : await createSqliteGasSponsorStore({ ...db.sqlite, limits });
    const gasSponsorBudget = withSponsoredGasMetrics(sponsorships, (labels, wei) =>
      metrics?.countSponsoredGas(labels, wei),
    );
    const engine = createEvmFacilitator({
      rpc,
      privateKeys: config.signers.privateKeys,
      hooks,
      ...(config.fees === undefined ? {} : { fees: config.fees }),
      ...(tron ? { schemes: tron.registrations, quoteFee: tron.quoteFee } : {}),
      // Permit2 payments may carry both gas-sponsoring extensions (honoured by default): say so
      ...(Object.keys(rpc).length > 0
        ? { extensions: [EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING] }
        : {}),
      ...(gas === undefined ? {} : { exactPermit: { gasLimit: BigInt(Math.min(gas, 300_000)) } }),
      exact: {
        // the cap bounds every EVM settlement: EIP-3009 (both overloads) and Permit2 (exact via the proxy)
        ...(gas === undefined
          ? {}
          : {
              gasLimit: BigInt(Math.min(gas, 120_000)),
              bytesGasLimit: BigInt(Math.min(gas, 300_000)),
              permit2GasLimit: BigInt(Math.min(gas, 300_000)),
            }),
        ...(receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs }),
        ...(rpcTimeoutMs === undefined ? {} : { rpcTimeoutMs }),
        ...(batching === false ? {} : { batching }),
        ...(stuckAfterMs === undefined ? {} : { stuckAfterMs }),
        ...(erc6492Factories === undefined ? {} : { erc6492Factories }),
        gasSponsoring: {
          budget: gasSponsorBudget,
          maxApprovalGas: BigInt(sponsoring.maxApprovalGas),
          maxFeeFactor: sponsoring.maxFeeFactor,
          maxDeploymentGas: BigInt(sponsoring.maxDeploymentGas),
        },
      },
    });
    facilitator = idempotency
      ? createIdempotentFacilitator({
          facilitator: engine,
          store: idempotency,
          instanceId: config.instanceId,
          onError: (error, context) =>
            log({
              level: 'error',
              message: `idempotency: ${context.stage} failed: ${error instanceof Error ? error.message : String(error)}`,
            }),
        })
      : engine;
    if ('postgres' in db) limiter = await createPostgresRateLimiter({ ...db.postgres, log });
  } catch (error) {
    facilitator?.close();
    tron?.close();
    await idempotency?.close();
    await sponsorships?.close();
    await keyLeases?.release();
    await leaseStore?.close();
    await ledger.close();
    throw error;
  }
  // without its key leases another instance may be sending from the same keys: settle nothing then
  if (keyLeases) facilitator = guardSettlements(facilitator, keyLeases);
  const gasSponsorships = sponsorships;
  const auth = createApiKeyAuth({
    keys: config.apiKeys,
    anonymous: config.anonymous,
    ...(limiter ? { limiter } : {}),
  });
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
  const telemetry = config.telemetry.otlpEndpoint
    ? createOtlpExporter({
        endpoint: config.telemetry.otlpEndpoint,
        serviceName: config.telemetry.serviceName,
        resource: { 'service.instance.id': config.instanceId },
        log,
      })
    : undefined;
  const observers: Array<(event: ServiceRequestEvent) => void> = [createAccessLog(log)];
  if (metrics) observers.push(metrics.observe);
  if (telemetry) observers.push(createRequestTracer(telemetry));
  const inner = createFacilitatorService({
    facilitator,
    bodyLimitBytes: config.limits.bodyBytes,
    authenticate: auth.authenticate,
    authorize: auth.authorize,
    checkHealth: withKeyLeaseHealth(
      createHealthCheck({ rpc, ledger, ...(tron ? { tron: tron.nodes } : {}) }),
      keyLeases,
    ),
    routes,
    log,
    observe: (event) => {
      for (const observe of observers) {
        try {
          observe(event);
        } catch {
          // one broken observer must not hide the others
        }
      }
    },
    ...(config.enableClose && options.onClose ? { onClose: options.onClose } : {}),
    ...(facilitator.quoteFee ? { feeQuote: facilitator.quoteFee } : {}),
  });
  const service = idempotency ? withPaymentIdentifierStatus(inner) : inner;

  const reconciler = config.reconciler.enabled
    ? createPendingReconciler({
        ledger,
        reconcile,
        owner: config.instanceId,
        intervalMs: config.reconciler.intervalMs,
        leaseMs: config.reconciler.leaseMs,
        quietMs: config.reconciler.quietMs,
        abandonedMs: config.settlement.claimLeaseMs,
        batchSize: config.reconciler.batchSize,
        log,
        onSweep: (result) => {
          metrics?.setGauge('x402kit_pending_settlements', {}, result.unresolved);
          metrics?.countReconciled('settled', result.settled);
          metrics?.countReconciled('failed', result.failed);
        },
      })
    : undefined;
  const monitor = createRelayerMonitor({
    rpc,
    addresses: facilitator.signers,
    intervalMs: config.monitoring.intervalMs,
    ...(config.monitoring.lowBalanceWei === undefined
      ? {}
      : { lowBalanceWei: config.monitoring.lowBalanceWei }),
    log,
    ...(tron
      ? {
          tron: {
            nodes: tron.nodes,
            addresses: tron.signers,
            ...(config.monitoring.lowBalanceSun === undefined
              ? {}
              : { lowBalanceSun: config.monitoring.lowBalanceSun }),
          },
        }
      : {}),
    onReading: (reading) => {
      const labels = { network: reading.network, address: reading.address };
      const gauge = reading.unit === 'sun' ? 'x402kit_relayer_balance_sun' : 'x402kit_relayer_balance_wei';
      metrics?.setGauge(gauge, labels, reading.balanceWei);
      metrics?.setGauge('x402kit_relayer_nonce_lag', labels, reading.nonceLag);
    },
  });
  if (options.autoStart ?? true) {
    reconciler?.start();
    monitor.start();
  }
  let closing: Promise<void> | undefined;
  return {
    service,
    facilitator,
    ledger,
    monitor,
    log,
    ...(metrics ? { metrics } : {}),
    ...(reconciler ? { reconciler } : {}),
    ...(telemetry ? { telemetry } : {}),
    ...(keyLeases ? { keyLeases } : {}),
    gasSponsorships,
    close() {
      closing ??= (async () => {
        monitor.stop();
        await reconciler?.stop();
        facilitator.close();
        tron?.close();
        await telemetry?.shutdown();
        await limiter?.close();
        await idempotency?.close();
        await gasSponsorships.close();
        // last of the senders' state: a successor may start sending from our keys at once
        await keyLeases?.release();
        await leaseStore?.close();
        await ledger.close();
      })();
      return closing;
    },
  };
}

/** `/health` fails, naming why, while the instance does not hold its key leases (it refuses settlements then). */
function withKeyLeaseHealth(
  check: () => Promise<HealthReport>,
  leases: KeyLeases | undefined,
): () => Promise<HealthReport> {
  if (!leases) return check;
  return async () => {
    const report = await check();
    const problem = leases.problem();
    if (problem === undefined) return report;
    return { ok: false, details: { ...report.details, keyLeases: problem } };
  };
}

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}
