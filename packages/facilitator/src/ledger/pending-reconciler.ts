/**
 * The background reconciler: a periodic sweep that finishes settlements nobody is waiting for any
 * more. It leases unresolved ledger rows (`pending`: sent, receipt not seen in time; `broadcast`
 * and quiet: the sending instance died or is stuck), looks each up on chain through a
 * {@link Reconcile} (the receipt of the recorded transaction, then the authorization's nonce state
 * and its `AuthorizationUsed` / `Transfer` logs for a front-run authorization), and stores the
 * final outcome, so `GET /payments/tx/:hash` and a retried `/settle` answer it.
 *
 * One sweep runs at a time per instance; rows are leased, so instances sharing one database never
 * work on the same row at once. A row that is still unknown is tried again when its lease ends.
 */

import { decodeStoredPayment } from '@x402kit/core';
import { createEmitter, type Emit, type Log } from '../log.js';
import type { Reconcile } from './ledger-hooks.js';
import type { PaymentLedger, UnresolvedPayment } from './payment-ledger.js';

/** Options of `createPendingReconciler`. */
export type PendingReconcilerOptions = {
  ledger: PaymentLedger;
  reconcile: Reconcile;
  /** This instance (the lease holder). */
  owner: string;
  /** Pause between sweeps; default 5000 ms. */
  intervalMs?: number;
  /** Each pause is stretched or shrunk at random by up to this fraction; default 0.2. */
  jitter?: number;
  /** How long a leased row is left alone by other sweeps (also the retry pause); default 15 000 ms. */
  leaseMs?: number;
  /**
   * A `broadcast` row is taken once it has not changed for this long (its sender is normally
   * waiting for the receipt before that); default 35 000 ms, above the default receipt timeout.
   */
  quietMs?: number;
  /**
   * A `claimed` row not heart-beaten for this long (its instance died before recording a send) is
   * looked up on chain too; default: not swept.
   */
  abandonedMs?: number;
  /** Rows per sweep; default 50. */
  batchSize?: number;
  log?: Log;
  /** Told the result of every sweep (the pending-settlements gauge). Must not throw. */
  onSweep?: (result: SweepResult) => void;
};

/** What one sweep did. */
export type SweepResult = {
  /** Rows leased by this sweep. */
  leased: number;
  settled: number;
  /** Rows found never to settle (authorization expired unused), stored as `failed`. */
  failed: number;
  /** Rows still unknown (tried again later). */
  unknown: number;
  /** Rows whose lookup threw (RPC down ...). */
  errors: number;
  /** Unresolved rows left in the ledger after the sweep (`pending` + `broadcast`). */
  unresolved: number;
};

/** What `createPendingReconciler` returns. */
export type PendingReconciler = {
  /** Start the periodic sweeps (the first after one interval). */
  start(): void;
  /** Stop scheduling and wait for a running sweep to end. */
  stop(): Promise<void>;
  /** Sweep now (or join the sweep already running). */
  sweep(): Promise<SweepResult>;
};

/**
 * Create the reconciler; nothing runs until `start()` or `sweep()`.
 *
 * @example
 * const reconciler = createPendingReconciler({ ledger, reconcile: createExactEvmReconciler({ rpc }), owner: 'fac-1' })
 * reconciler.start()
 * // shutdown: await reconciler.stop()
 */
export function createPendingReconciler(options: PendingReconcilerOptions): PendingReconciler {
  const intervalMs = options.intervalMs ?? 5000;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
  const { ledger, reconcile, owner } = options;
  const sweeper: Sweeper = {
    options,
    ledger,
    reconcile,
    owner,
    leaseMs: options.leaseMs ?? 15_000,
    quietMs: options.quietMs ?? 35_000,
    batchSize: options.batchSize ?? 50,
    emit: createEmitter(options.log),
  };
  const { emit } = sweeper;
  let running: Promise<SweepResult> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;

  function sweep(): Promise<SweepResult> {
    running ??= sweepOnce(sweeper).finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    const pause = intervalMs * (1 + jitter * (2 * Math.random() - 1));
    timer = setTimeout(() => {
      sweep()
        .catch((error: unknown) =>
          emit('warn', 'reconciler: sweep failed', {
            error: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(schedule);
    }, pause);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    sweep,
  };
}

/** What a sweep needs: the options with their defaults (`abandonedMs` and `onSweep` are read at each sweep). */
type Sweeper = {
  options: PendingReconcilerOptions;
  ledger: PaymentLedger;
  reconcile: Reconcile;
  owner: string;
  leaseMs: number;
  quietMs: number;
  batchSize: number;
  emit: Emit;
};

/** Lease a batch of unresolved rows, finish each one the chain can answer, and report the sweep. */
async function sweepOnce(sweeper: Sweeper): Promise<SweepResult> {
  const { options, ledger, emit } = sweeper;
  const result: SweepResult = { leased: 0, settled: 0, failed: 0, unknown: 0, errors: 0, unresolved: 0 };
  const rows = await ledger.leaseUnresolved({
    owner: sweeper.owner,
    leaseMs: sweeper.leaseMs,
    quietMs: sweeper.quietMs,
    ...(options.abandonedMs === undefined ? {} : { abandonedMs: options.abandonedMs }),
    limit: sweeper.batchSize,
  });
  result.leased = rows.length;
  for (const row of rows) {
    try {
      await finish(sweeper, row, result);
    } catch (error) {
      result.errors++;
      emit('warn', 'reconciler: lookup failed; the payment is tried again later', {
        network: row.record.key.network,
        nonce: row.record.key.nonce,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  result.unresolved = await ledger.countUnresolved();
  try {
    options.onSweep?.(result);
  } catch {
    // a broken observer must not stop the sweeps
  }
  return result;
}

/** Look one row up on chain and store its outcome when there is one; count what happened. */
async function finish(sweeper: Sweeper, row: UnresolvedPayment, result: SweepResult): Promise<void> {
  const { ledger, reconcile } = sweeper;
  const { record } = row;
  const payment = decodeStoredPayment(row.payment);
  if (!payment) {
    result.unknown++;
    return;
  }
  const found = await reconcile(payment, record);
  if (!found) {
    result.unknown++;
    return;
  }
  const state = found.success ? 'settled' : 'failed';
  await ledger.complete(record.key, state, found);
  result[state]++;
  sweeper.emit(found.success ? 'info' : 'warn', `reconciler: ${record.state} payment ${state}`, {
    network: record.key.network,
    payer: record.key.payer,
    nonce: record.key.nonce,
    transaction: found.transaction,
    ...(found.success ? {} : { reason: found.errorReason }),
  });
}
