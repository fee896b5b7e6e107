/**
 * Watches the settlement senders of every chain: their native balance (gas money) and, where the
 * chain has one, their nonce lag (sent but not final), read through each chain module every
 * interval. A balance below the chain's threshold is logged as a structured warning (again every
 * 10 minutes while it stays low); readings feed the `x402kit_relayer_balance_<unit>` and
 * `x402kit_relayer_nonce_lag` gauges.
 */
import type { RelayerReading as ChainReading } from '@x402kit/core';
import { createEmitter, type Log } from './log.js';

/** One chain's relayers, as the monitor reads them. */
export type RelayerSource = {
  /**
   * Its balance unit as its chain module spells it (`ChainModule.balanceUnit`: `Wei`, `Sun`, `Lamports`): the
   * warning's `balance<Unit>` / `threshold<Unit>` fields; in lower case, the readings' `unit` (the gauge's suffix).
   */
  balanceUnit: string;
  /** Warn when a balance is below this many units; absent means never warn. */
  lowBalance?: bigint;
  /** One round of readings (`ChainRuntime.readBalances`). */
  read(timeoutMs: number): Promise<ChainReading[]>;
};

/** Options of `createRelayerMonitor`. */
export type RelayerMonitorOptions = {
  /** The chains' relayers. */
  sources: readonly RelayerSource[];
  /** Pause between readings; default 30 000 ms. */
  intervalMs?: number;
  /** Per request; default 5000 ms. */
  timeoutMs?: number;
  log?: Log;
  /** Told every reading (metrics). Must not throw. */
  onReading?: (reading: RelayerReading) => void;
};

/** One relayer on one network. */
export type RelayerReading = ChainReading & {
  /** The balance's unit (`wei`, `sun`, `lamports`). */
  unit: string;
  low: boolean;
};

/** What `createRelayerMonitor` returns. */
export type RelayerMonitor = {
  /** Read now, then every interval. */
  start(): void;
  stop(): void;
  /** One round of readings (a failed chain is skipped and logged). */
  check(): Promise<RelayerReading[]>;
};

const REWARN_MS = 10 * 60_000;

/**
 * Create the monitor.
 *
 * @example
 * const monitor = createRelayerMonitor({ sources: [{ balanceUnit: 'Wei', lowBalance: 10n ** 16n, read: runtime.readBalances }], log })
 * monitor.start()
 */
export function createRelayerMonitor(options: RelayerMonitorOptions): RelayerMonitor {
  const emit = createEmitter(options.log);
  const intervalMs = options.intervalMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const warnedAt = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  async function readSource(source: RelayerSource): Promise<RelayerReading[]> {
    try {
      const readings = await source.read(timeoutMs);
      return readings.map((reading) => ({
        ...reading,
        unit: source.balanceUnit.toLowerCase(),
        low: source.lowBalance !== undefined && reading.balance < source.lowBalance,
      }));
    } catch (error) {
      emit('warn', 'relayer monitor: cannot read relayer balances', {
        unit: source.balanceUnit.toLowerCase(),
        error: error instanceof Error ? error.message : String(error),
      });
      return [];
    }
  }

  async function check(): Promise<RelayerReading[]> {
    const rounds = await Promise.all(
      options.sources.map(async (source) => ({ source, readings: await readSource(source) })),
    );
    const now = Date.now();
    for (const { source, readings } of rounds) {
      for (const reading of readings) {
        const id = `${reading.network}|${reading.address}`;
        if (reading.low) {
          if (now - (warnedAt.get(id) ?? Number.NEGATIVE_INFINITY) >= REWARN_MS) {
            warnedAt.set(id, now);
            emit('warn', 'relayer gas balance is low: fund it or settlements will fail', {
              network: reading.network,
              address: reading.address,
              [`balance${source.balanceUnit}`]: reading.balance.toString(),
              [`threshold${source.balanceUnit}`]: source.lowBalance?.toString(),
            });
          }
        } else {
          warnedAt.delete(id);
        }
        try {
          options.onReading?.(reading);
        } catch {
          // metrics must never stop the monitor
        }
      }
    }
    return rounds.flatMap((round) => round.readings);
  }

  function loop(): void {
    check()
      .catch(() => [])
      .finally(() => {
        if (timer === undefined) return;
        timer = setTimeout(loop, intervalMs);
        timer.unref();
      });
  }

  return {
    start() {
      if (timer !== undefined) return;
      timer = setTimeout(loop, 0);
      timer.unref();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
    check,
  };
}
