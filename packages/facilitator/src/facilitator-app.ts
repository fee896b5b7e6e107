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
import { Reasons, X402Error } from '@x402kit/core';
import { buildEngine } from './build-engine.js';
import { buildService } from './build-service.js';
import { closeDeploymentParts, type DeploymentParts } from './deployment-parts.js';
import type { GasSponsorStore } from './gas-sponsoring/index.js';
import type { KeyLeases } from './key-lease/index.js';
import {
  createPostgresLedger,
  createSqliteLedger,
  type PaymentLedger,
  type PendingReconciler,
} from './ledger/index.js';
import { createJsonLog, type Log } from './log.js';
import type { Metrics } from './metrics.js';
import { ledgerDatabase, openStore } from './open-stores.js';
import { createPostgresRateLimiter } from './pg-rate-limiter.js';
import type { RelayerMonitor } from './relayer-monitor.js';
import type { ServiceConfig } from './service-config.js';
import type { ServiceFacilitator } from './service-engine.js';
import type { FacilitatorService } from './service-types.js';
import { startBackground } from './start-background.js';
import { startChains } from './start-chains.js';
import type { OtlpExporter } from './telemetry/otlp-exporter.js';

export type { ServiceFacilitator } from './service-engine.js';

/** What `createFacilitatorApp` returns. */
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

/** Options of `createFacilitatorApp`. */
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
 * Build the deployment, step by step: open the ledger, start the chains, build the engine, open the
 * rate limiter (PostgreSQL), build the service, start the background work. A failing step closes
 * what the earlier ones opened.
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
  // the ledger's database, which the idempotency store, the sponsor budget, key leases and (PostgreSQL) the rate limiter share
  const db = ledgerDatabase(config);
  const ledger = await openStore(db, { postgres: createPostgresLedger, sqlite: createSqliteLedger });
  const parts: DeploymentParts = { log, db, ledger, chains: [] };
  try {
    await startChains(config, parts);
    const reconcile = await buildEngine(config, parts);
    if (!parts.engine) throw new X402Error(Reasons.internalError, 'the engine was not built');
    if ('postgres' in db) parts.limiter = await createPostgresRateLimiter({ ...db.postgres, log });
    const { service, served } = buildService(config, parts, parts.engine, options.onClose);
    startBackground(config, parts, reconcile, options.autoStart ?? true);
    return runningApp(parts, service, served);
  } catch (error) {
    await closeDeploymentParts(parts, { failed: true });
    throw error;
  }
}

/** The app over its parts, with the one `close()`. */
function runningApp(
  parts: DeploymentParts,
  service: FacilitatorService,
  served: ServiceFacilitator,
): FacilitatorApp {
  const { ledger, log, metrics, reconciler, telemetry, keyLeases, sponsorships, monitor } = parts;
  if (!monitor) throw new X402Error(Reasons.internalError, 'the relayer monitor was not created');
  let closing: Promise<void> | undefined;
  return {
    service,
    facilitator: served,
    ledger,
    monitor,
    log,
    ...(metrics ? { metrics } : {}),
    ...(reconciler ? { reconciler } : {}),
    ...(telemetry ? { telemetry } : {}),
    ...(keyLeases ? { keyLeases } : {}),
    ...(sponsorships ? { gasSponsorships: sponsorships } : {}),
    close() {
      closing ??= closeDeploymentParts(parts, { failed: false });
      return closing;
    },
  };
}
