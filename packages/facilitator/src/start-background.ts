/**
 * The deployment's background work: the sweep of pending settlements (when the reconciler is
 * enabled) and the relayer monitor (balances and nonce lag per chain), both feeding the metrics.
 */
import type { Reconcile } from '@x402kit/core';
import type { DeploymentParts } from './deployment-parts.js';
import { createPendingReconciler } from './ledger/index.js';
import { createRelayerMonitor } from './relayer-monitor.js';
import type { ServiceConfig } from './service-config.js';

/**
 * Create `parts.reconciler` and `parts.monitor`, and start them unless `autoStart` is false.
 *
 * @example
 * startBackground(config, parts, reconcile, options.autoStart ?? true)
 */
export function startBackground(
  config: ServiceConfig,
  parts: DeploymentParts,
  reconcile: Reconcile,
  autoStart: boolean,
): void {
  const { log, ledger, metrics } = parts;
  if (config.reconciler.enabled) {
    parts.reconciler = createPendingReconciler({
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
    });
  }
  parts.monitor = createRelayerMonitor({
    sources: parts.chains.map(({ balanceUnit, runtime }) => {
      const lowBalance = config.monitoring[`lowBalance${balanceUnit}`];
      return {
        balanceUnit,
        ...(lowBalance === undefined ? {} : { lowBalance }),
        read: runtime.readBalances,
      };
    }),
    intervalMs: config.monitoring.intervalMs,
    log,
    onReading: (reading) => {
      const labels = { network: reading.network, address: reading.address };
      metrics?.setGauge(`x402kit_relayer_balance_${reading.unit}`, labels, reading.balance);
      metrics?.setGauge('x402kit_relayer_nonce_lag', labels, reading.nonceLag);
    },
  });
  if (autoStart) {
    parts.reconciler?.start();
    parts.monitor.start();
  }
}
