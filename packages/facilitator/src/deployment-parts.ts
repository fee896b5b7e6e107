/**
 * What a facilitator deployment opened, step by step, and the one way to close it: used both when a
 * later step fails (everything opened so far is closed) and by the running deployment's `close()`.
 */
import type { ChainRuntime } from '@x402kit/core';
import type { DiscoveryStore } from './discovery/index.js';
import type { GasSponsorStore } from './gas-sponsoring/index.js';
import type { IdempotencyStore } from './idempotency/index.js';
import type { KeyLeaseStore, KeyLeases } from './key-lease/index.js';
import type { PaymentLedger, PendingReconciler } from './ledger/index.js';
import type { Log } from './log.js';
import type { Metrics } from './metrics.js';
import type { LedgerDatabase } from './open-stores.js';
import type { PostgresRateLimiter } from './pg-rate-limiter.js';
import type { RelayerMonitor } from './relayer-monitor.js';
import type { ServiceFacilitator } from './service-engine.js';
import type { OtlpExporter } from './telemetry/otlp-exporter.js';

/** A started chain module: its family, its balance unit (`ChainModule.balanceUnit`) and what it serves. */
export type StartedChain = { family: string; balanceUnit: string; runtime: ChainRuntime };

/** The parts of a deployment, filled in as the steps open them. */
export type DeploymentParts = {
  log: Log;
  db: LedgerDatabase;
  ledger: PaymentLedger;
  /** The chain modules started, in the configuration's order. */
  chains: StartedChain[];
  sponsorships?: GasSponsorStore;
  leaseStore?: KeyLeaseStore;
  keyLeases?: KeyLeases;
  idempotency?: IdempotencyStore;
  /** The catalog of settled-for resources behind `GET /discovery/resources`. */
  discovery?: DiscoveryStore;
  limiter?: PostgresRateLimiter;
  metrics?: Metrics;
  /** Every chain's schemes behind the ledger (and the idempotency store, when enabled). */
  engine?: ServiceFacilitator;
  telemetry?: OtlpExporter;
  reconciler?: PendingReconciler;
  monitor?: RelayerMonitor;
};

/**
 * Close what is open: the sweeps and the monitor, the engine (or, when a step failed before it was
 * built, the chains), spans, the stores, the key leases and last the ledger.
 *
 * @example
 * await closeDeploymentParts(parts, { failed: false })
 */
export async function closeDeploymentParts(
  parts: DeploymentParts,
  { failed }: { failed: boolean },
): Promise<void> {
  parts.monitor?.stop();
  await parts.reconciler?.stop();
  parts.engine?.close();
  if (failed) for (const { runtime } of parts.chains) runtime.close();
  await parts.telemetry?.shutdown();
  await parts.limiter?.close();
  await parts.idempotency?.close();
  await parts.discovery?.close();
  await parts.sponsorships?.close();
  // last of the senders' state: a successor may start sending from our keys at once
  await parts.keyLeases?.release();
  await parts.leaseStore?.close();
  await parts.ledger.close();
}
