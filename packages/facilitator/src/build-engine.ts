/**
 * The deployment's engine, built on the started chains: their settlement keys leased in the
 * ledger's database (one live instance per key, so nonces never collide; chains whose senders keep
 * no nonce are shared and not leased), the chains ready, their reconcilers in one, the ledger's
 * exactly-once hooks, one core engine over every chain's registrations, and the idempotency store
 * in front when enabled, and the discovery catalog behind it (the bazaar extension).
 */
import { createFacilitator, firstReconciler, identifyChainPayment, type Reconcile } from '@x402kit/core';
import type { DeploymentParts } from './deployment-parts.js';
import {
  createPostgresDiscoveryStore,
  createSqliteDiscoveryStore,
  withDiscovery,
} from './discovery/index.js';
import {
  createIdempotentFacilitator,
  createPostgresIdempotencyStore,
  createSqliteIdempotencyStore,
} from './idempotency/index.js';
import {
  acquireKeyLeases,
  createPostgresKeyLeaseStore,
  createSqliteKeyLeaseStore,
} from './key-lease/index.js';
import { createLedgerHooks } from './ledger/index.js';
import { openStore } from './open-stores.js';
import type { ServiceConfig } from './service-config.js';
import { createServiceEngine } from './service-engine.js';

/**
 * Lease the keys, then build `parts.engine`; the chains' reconcilers in one, for the background sweep.
 *
 * @example
 * const reconcile = await buildEngine(config, parts)
 */
export async function buildEngine(config: ServiceConfig, parts: DeploymentParts): Promise<Reconcile> {
  const { log, ledger } = parts;
  if (config.keyLease.enabled) await leaseSettlementKeys(config, parts);
  for (const { runtime } of parts.chains) await runtime.ready?.();
  const runtimes = parts.chains.map(({ runtime }) => runtime);
  const reconcile = firstReconciler(
    ...runtimes.flatMap((runtime) => (runtime.reconcile ? [runtime.reconcile] : [])),
  );
  const modules = config.chains.map((chain) => chain.module);
  const hooks = createLedgerHooks({
    ledger,
    identify: (call) => identifyChainPayment(modules, call),
    instanceId: config.instanceId,
    reconcile,
    claimLeaseMs: config.settlement.claimLeaseMs,
    reservationSkewMs: config.settlement.reservationSkewMs,
    onError: (error: unknown, context: { stage: string }) =>
      log({ level: 'error', message: `ledger: ${context.stage} failed: ${messageOf(error)}` }),
  });
  if (config.idempotency.enabled) {
    parts.idempotency = await openStore(parts.db, {
      postgres: createPostgresIdempotencyStore,
      sqlite: createSqliteIdempotencyStore,
    });
  }
  const engine = createServiceEngine(
    runtimes,
    createFacilitator({
      schemes: runtimes.flatMap((runtime) => runtime.registrations),
      extensions: [...new Set(['bazaar', ...runtimes.flatMap((runtime) => runtime.extensions ?? [])])],
      hooks,
    }),
  );
  parts.engine = parts.idempotency
    ? createIdempotentFacilitator({
        facilitator: engine,
        store: parts.idempotency,
        instanceId: config.instanceId,
        onError: (error, context) =>
          log({ level: 'error', message: `idempotency: ${context.stage} failed: ${messageOf(error)}` }),
      })
    : engine;
  parts.discovery = await openStore(parts.db, {
    postgres: createPostgresDiscoveryStore,
    sqlite: createSqliteDiscoveryStore,
  });
  parts.engine = withDiscovery(parts.engine, {
    store: parts.discovery,
    onError: (error) => log({ level: 'error', message: `discovery: recording failed: ${messageOf(error)}` }),
    onSkipped: (reason) => log({ level: 'info', message: `discovery: not listed: ${reason}` }),
  });
  return reconcile;
}

/** Lease every settlement key the chains send from but share with nobody; the heartbeat starts at once. */
async function leaseSettlementKeys(config: ServiceConfig, parts: DeploymentParts): Promise<void> {
  parts.leaseStore = await openStore(parts.db, {
    postgres: createPostgresKeyLeaseStore,
    sqlite: createSqliteKeyLeaseStore,
  });
  parts.keyLeases = await acquireKeyLeases({
    store: parts.leaseStore,
    // chains whose senders keep no nonce are shared by every instance (`sharedSettlementAddresses`): not leased
    keys: parts.chains.flatMap(({ family, runtime }) =>
      runtime.sharedSettlementAddresses
        ? []
        : [...new Set(runtime.settlementAddresses)].map((address) => ({ family, address })),
    ),
    holder: config.instanceId,
    staleAfterMs: config.keyLease.staleAfterMs,
    log: parts.log,
  });
  parts.keyLeases.start();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
