/**
 * A whole facilitator deployment from a {@link ServiceConfig}: the chain modules it configures
 * (their schemes in one engine), the settlement ledger (SQLite by default, PostgreSQL when
 * configured) with its exactly-once hooks, the background reconciler of pending settlements, API
 * keys and rate limits (shared through PostgreSQL when the ledger is there), `/payments` queries,
 * `/metrics`, relayer balance and nonce-lag monitoring, access logs, OpenTelemetry traces when an
 * endpoint is configured, and a nodes + ledger `/health`. It names no chain: everything chain-specific
 * is asked of the modules. Its settlement keys are leased in the ledger's database first: a key
 * another live instance holds refuses the start with `SettlementKeyInUseError` (one sender per key,
 * so nonces never collide).
 */
import {
  type ChainRuntime,
  chainAddressKey,
  createFacilitator,
  type Facilitator,
  firstReconciler,
  identifyChainPayment,
  type QuoteFee,
  type Reconcile,
  type SponsorLimits,
} from '@x402kit/core';
import { createAccessLog } from './access-log.js';
import { createApiKeyAuth } from './api-key-auth.js';
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
  createPostgresKeyLeaseStore,
  createSqliteKeyLeaseStore,
  guardSettlements,
  type KeyLeaseStore,
  type KeyLeases,
} from './key-lease/index.js';
import {
  createLedgerHooks,
  createLedgerHttpHandler,
  createPendingReconciler,
  createPostgresLedger,
  createSqliteLedger,
  type PaymentLedger,
  type PendingReconciler,
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

/** The deployment's engine: every configured chain's schemes behind the ledger. */
export type ServiceFacilitator = Facilitator & {
  /** The CAIP-2 ids served. */
  readonly networks: readonly string[];
  /** The addresses that send settlements, on every chain. */
  readonly signers: readonly string[];
  /** Stop receipt waits and refuse new work (call after the HTTP server closed). */
  close(): void;
  /** `/fee/quote` answers of the schemes that charge a fee. */
  quoteFee?: QuoteFee;
};

export type FacilitatorApp = {
  service: FacilitatorService;
  facilitator: ServiceFacilitator;
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
  /** Fees spent on payers' behalf (approval top-ups, wallet deployments), per payment; also their budget. Present once a chain opened it. */
  gasSponsorships?: GasSponsorStore;
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
 * const config = await loadServiceConfig({ file: 'facilitator.yaml', env: process.env, chains: [evmChain, otherChain] })
 * const app = await createFacilitatorApp(config)
 * const server = await startFacilitatorServer({ service: app.service, port: 4022 })
 * // shutdown: await server.close(); await app.close()
 */
export async function createFacilitatorApp(
  config: ServiceConfig,
  options: CreateFacilitatorAppOptions = {},
): Promise<FacilitatorApp> {
  const log =
    options.log ?? createJsonLog({ level: config.log.level, fields: { instance: config.instanceId } });
  const modules = config.chains.map((chain) => chain.module);
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
  const { receiptTimeoutMs, rpcTimeoutMs } = config.settlement;
  const { maxGasPerSettlement } = config.limits;
  const runtimes: Array<{ family: string; unit: string; runtime: ChainRuntime }> = [];
  let idempotency: IdempotencyStore | undefined;
  let facilitator: ServiceFacilitator | undefined;
  let limiter: PostgresRateLimiter | undefined;
  let sponsorships: GasSponsorStore | undefined;
  let leaseStore: KeyLeaseStore | undefined;
  let keyLeases: KeyLeases | undefined;
  let metrics: Metrics | undefined;
  let reconcile: Reconcile = firstReconciler();
  try {
    // the budget of fees spent on payers' behalf, in the ledger's database so instances share it
    const openSponsorBudget = async (limits: SponsorLimits) => {
      if (sponsorships)
        throw new Error('the sponsor budget is already open (one chain module sponsors fees)');
      sponsorships =
        'postgres' in db
          ? await createPostgresGasSponsorStore({ ...db.postgres, limits })
          : await createSqliteGasSponsorStore({ ...db.sqlite, limits });
      return withSponsoredGasMetrics(sponsorships, (labels, wei) => metrics?.countSponsoredGas(labels, wei));
    };
    for (const { module, sections } of config.chains) {
      const runtime = await module.start({
        sections,
        privateKeys: config.signers.privateKeys,
        settlement: {
          ...(receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs }),
          ...(rpcTimeoutMs === undefined ? {} : { rpcTimeoutMs }),
          ...(maxGasPerSettlement === undefined ? {} : { maxGasPerSettlement }),
        },
        openSponsorBudget,
        log,
      });
      runtimes.push({ family: module.family, unit: module.balanceUnit, runtime });
    }
    if (config.keyLease.enabled) {
      leaseStore =
        'postgres' in db
          ? await createPostgresKeyLeaseStore(db.postgres)
          : await createSqliteKeyLeaseStore(db.sqlite);
      keyLeases = await acquireKeyLeases({
        store: leaseStore,
        // chains whose senders keep no nonce are shared by every instance (`sharedSettlementAddresses`): not leased
        keys: runtimes.flatMap(({ family, runtime }) =>
          runtime.sharedSettlementAddresses
            ? []
            : [...new Set(runtime.settlementAddresses)].map((address) => ({ family, address })),
        ),
        holder: config.instanceId,
        staleAfterMs: config.keyLease.staleAfterMs,
        log,
      });
      keyLeases.start();
    }
    for (const { runtime } of runtimes) await runtime.ready?.();
    const reconcilers = runtimes.flatMap(({ runtime }) => (runtime.reconcile ? [runtime.reconcile] : []));
    reconcile = firstReconciler(...reconcilers);
    const hooks = createLedgerHooks({
      ledger,
      identify: (call) => identifyChainPayment(modules, call),
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
    const engine = createServiceEngine(
      runtimes.map(({ runtime }) => runtime),
      createFacilitator({
        schemes: runtimes.flatMap(({ runtime }) => runtime.registrations),
        extensions: [...new Set(runtimes.flatMap(({ runtime }) => runtime.extensions ?? []))],
        hooks,
      }),
    );
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
    return await assemble();
  } catch (error) {
    facilitator?.close();
    for (const { runtime } of runtimes) runtime.close();
    await idempotency?.close();
    await sponsorships?.close();
    await limiter?.close();
    await keyLeases?.release();
    await leaseStore?.close();
    await ledger.close();
    throw error;
  }

  async function assemble(): Promise<FacilitatorApp> {
    if (!facilitator) throw new Error('the engine was not built');
    // without its key leases another instance may be sending from the same keys: settle nothing then
    let served: ServiceFacilitator = facilitator;
    if (keyLeases) served = guardSettlements(served, keyLeases);
    const gasSponsorships = sponsorships;
    metrics = config.metrics.enabled ? createMetrics() : undefined;
    const auth = createApiKeyAuth({
      keys: config.apiKeys,
      anonymous: config.anonymous,
      addressKey: (address) => chainAddressKey(modules, address),
      ...(limiter ? { limiter } : {}),
    });
    const payments = createLedgerHttpHandler({
      ledger,
      ledgerAddress: (address) => {
        for (const module of modules) {
          const form = module.ledgerAddress(address);
          if (form !== undefined) return form;
        }
        return undefined;
      },
    });
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
    const registry = metrics;
    if (registry) {
      routes.push({
        prefix: '/metrics',
        endpoint: 'metrics',
        public: true,
        async handle() {
          return {
            status: 200,
            headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
            body: await registry.render(),
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
    if (registry) observers.push(registry.observe);
    if (telemetry) observers.push(createRequestTracer(telemetry));
    const inner = createFacilitatorService({
      facilitator: served,
      bodyLimitBytes: config.limits.bodyBytes,
      authenticate: auth.authenticate,
      authorize: auth.authorize,
      checkHealth: withKeyLeaseHealth(
        createHealthCheck({ probes: runtimes.map(({ runtime }) => runtime.probe), ledger }),
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
      ...(served.quoteFee ? { feeQuote: served.quoteFee } : {}),
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
            registry?.setGauge('x402kit_pending_settlements', {}, result.unresolved);
            registry?.countReconciled('settled', result.settled);
            registry?.countReconciled('failed', result.failed);
          },
        })
      : undefined;
    const monitor = createRelayerMonitor({
      sources: runtimes.map(({ unit, runtime }) => {
        const lowBalance = config.monitoring[`lowBalance${unit}`];
        return {
          unit: unit.toLowerCase(),
          ...(lowBalance === undefined ? {} : { lowBalance }),
          read: runtime.readBalances,
        };
      }),
      intervalMs: config.monitoring.intervalMs,
      log,
      onReading: (reading) => {
        const labels = { network: reading.network, address: reading.address };
        registry?.setGauge(`x402kit_relayer_balance_${reading.unit}`, labels, reading.balance);
        registry?.setGauge('x402kit_relayer_nonce_lag', labels, reading.nonceLag);
      },
    });
    if (options.autoStart ?? true) {
      reconciler?.start();
      monitor.start();
    }
    let closing: Promise<void> | undefined;
    const engine = served;
    return {
      service,
      facilitator: served,
      ledger,
      monitor,
      log,
      ...(registry ? { metrics: registry } : {}),
      ...(reconciler ? { reconciler } : {}),
      ...(telemetry ? { telemetry } : {}),
      ...(keyLeases ? { keyLeases } : {}),
      ...(gasSponsorships ? { gasSponsorships } : {}),
      close() {
        closing ??= (async () => {
          monitor.stop();
          await reconciler?.stop();
          engine.close();
          await telemetry?.shutdown();
          await limiter?.close();
          await idempotency?.close();
          await gasSponsorships?.close();
          // last of the senders' state: a successor may start sending from our keys at once
          await keyLeases?.release();
          await leaseStore?.close();
          await ledger.close();
        })();
        return closing;
      },
    };
  }
}

/**
 * One engine over every chain's runtime: the core engine's answers, the networks and settlement
 * addresses of all chains, the fee quotes of the first chain that prices an offer, and one close.
 */
function createServiceEngine(runtimes: readonly ChainRuntime[], engine: Facilitator): ServiceFacilitator {
  const quoters = runtimes.flatMap((runtime) => (runtime.quoteFee ? [runtime.quoteFee] : []));
  const networks = runtimes.flatMap((runtime) =>
    runtime.registrations.flatMap((r) => (Array.isArray(r.networks) ? r.networks : [r.networks])),
  );
  return {
    verify: engine.verify,
    settle: engine.settle,
    ...(engine.release ? { release: engine.release } : {}),
    supported: engine.supported,
    networks: [...new Set(networks)],
    signers: [...new Set(runtimes.flatMap((runtime) => runtime.settlementAddresses))],
    close: () => {
      for (const runtime of runtimes) runtime.close();
    },
    ...(quoters.length > 0
      ? {
          quoteFee: (offer) => {
            for (const quote of quoters) {
              const fee = quote(offer);
              if (fee) return fee;
            }
            return undefined;
          },
        }
      : {}),
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
