/**
 * Watches the relayer keys: their native balance (gas money) and nonce lag (transactions sent but
 * not mined: `pending` minus `latest` transaction count), read with plain JSON-RPC every interval.
 * A balance below the threshold is logged as a structured warning (again every 10 minutes while
 * it stays low); readings feed the `x402kit_relayer_balance_wei` / `x402kit_relayer_nonce_lag` gauges.
 */
import { createEmitter, type Log } from './log.js';

export type RelayerMonitorOptions = {
  /** RPC URLs per CAIP-2 network (the first that answers is used). */
  rpc: Record<string, readonly string[]>;
  /** Relayer addresses (the same keys serve every network). */
  addresses: readonly string[];
  /** Warn when a balance is below this many wei; absent means never warn. */
  lowBalanceWei?: bigint;
  /** Pause between readings; default 30 000 ms. */
  intervalMs?: number;
  /** Per request; default 5000 ms. */
  timeoutMs?: number;
  log?: Log;
  /** Told every reading (metrics). Must not throw. */
  onReading?: (reading: RelayerReading) => void;
  /** TRON settlement keys (Base58) and the node per network; their TRX pays the energy. */
  tron?: {
    nodes: Record<string, { fullHost: string; apiKey?: string }>;
    addresses: readonly string[];
    /** Warn below this many SUN (1 TRX = 10^6 SUN). */
    lowBalanceSun?: bigint;
  };
};

/** One relayer on one network. */
export type RelayerReading = {
  network: string;
  address: string;
  /** The native balance in the chain's smallest unit: wei on EVM, SUN on TRON (see `unit`). */
  balanceWei: bigint;
  unit: 'wei' | 'sun';
  /** `pending` minus `latest` transaction count. */
  nonceLag: number;
  low: boolean;
};

export type RelayerMonitor = {
  /** Read now, then every interval. */
  start(): void;
  stop(): void;
  /** One round of readings (a failed network is skipped and logged). */
  check(): Promise<RelayerReading[]>;
};

const REWARN_MS = 10 * 60_000;

/**
 * Create the monitor.
 *
 * @example
 * const monitor = createRelayerMonitor({ rpc: { 'eip155:84532': ['http://127.0.0.1:8545'] }, addresses: facilitator.signers, lowBalanceWei: 10n ** 16n, log })
 * monitor.start()
 */
export function createRelayerMonitor(options: RelayerMonitorOptions): RelayerMonitor {
  const emit = createEmitter(options.log);
  const intervalMs = options.intervalMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const warnedAt = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  async function readNetwork(network: string, urls: readonly string[]): Promise<RelayerReading[]> {
    let last: unknown;
    for (const url of urls) {
      try {
        return await Promise.all(
          options.addresses.map(async (address) => {
            const [balance, pending, latest] = await rpcBatch(url, timeoutMs, [
              ['eth_getBalance', [address, 'latest']],
              ['eth_getTransactionCount', [address, 'pending']],
              ['eth_getTransactionCount', [address, 'latest']],
            ]);
            const balanceWei = BigInt(balance ?? '0x0');
            const low = options.lowBalanceWei !== undefined && balanceWei < options.lowBalanceWei;
            const nonceLag = Math.max(0, Number(BigInt(pending ?? '0x0') - BigInt(latest ?? '0x0')));
            return { network, address, balanceWei, unit: 'wei' as const, nonceLag, low };
          }),
        );
      } catch (error) {
        last = error;
      }
    }
    throw last instanceof Error ? last : new Error(`no RPC URL for ${network}`);
  }

  async function readTronNetwork(
    network: string,
    node: { fullHost: string; apiKey?: string },
  ): Promise<RelayerReading[]> {
    const tron = options.tron;
    if (!tron) return [];
    return Promise.all(
      tron.addresses.map(async (address) => {
        const response = await fetch(`${node.fullHost.replace(/\/+$/, '')}/wallet/getaccount`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(node.apiKey ? { 'TRON-PRO-API-KEY': node.apiKey } : {}),
          },
          body: JSON.stringify({ address, visible: true }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) throw new Error(`getaccount answered HTTP ${response.status}`);
        const body: unknown = await response.json();
        // an account never activated answers {}: no TRX
        const raw = typeof body === 'object' && body !== null && 'balance' in body ? body.balance : 0;
        const balance = BigInt(typeof raw === 'number' || typeof raw === 'string' ? raw : 0);
        const low = tron.lowBalanceSun !== undefined && balance < tron.lowBalanceSun;
        return { network, address, balanceWei: balance, unit: 'sun' as const, nonceLag: 0, low };
      }),
    );
  }

  async function check(): Promise<RelayerReading[]> {
    const failed = (network: string) => (error: unknown) => {
      emit('warn', 'relayer monitor: cannot read relayer balances', {
        network,
        error: error instanceof Error ? error.message : String(error),
      });
      return [];
    };
    const rounds = await Promise.all([
      ...Object.entries(options.rpc).map(([network, urls]) =>
        readNetwork(network, urls).catch(failed(network)),
      ),
      ...Object.entries(options.tron?.nodes ?? {}).map(([network, node]) =>
        readTronNetwork(network, node).catch(failed(network)),
      ),
    ]);
    const readings = rounds.flat();
    const now = Date.now();
    for (const reading of readings) {
      const id = `${reading.network}|${reading.address}`;
      if (reading.low) {
        if (now - (warnedAt.get(id) ?? Number.NEGATIVE_INFINITY) >= REWARN_MS) {
          warnedAt.set(id, now);
          emit('warn', 'relayer gas balance is low: fund it or settlements will fail', {
            network: reading.network,
            address: reading.address,
            ...(reading.unit === 'sun'
              ? {
                  balanceSun: reading.balanceWei.toString(),
                  thresholdSun: options.tron?.lowBalanceSun?.toString(),
                }
              : {
                  balanceWei: reading.balanceWei.toString(),
                  thresholdWei: options.lowBalanceWei?.toString(),
                }),
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
    return readings;
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

/** A JSON-RPC batch; the `result` strings in request order (a missing or error answer throws). */
async function rpcBatch(
  url: string,
  timeoutMs: number,
  calls: ReadonlyArray<[string, unknown[]]>,
): Promise<Array<string | undefined>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params }))),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body: unknown = await response.json();
  if (!Array.isArray(body)) throw new Error(`RPC ${url} answered HTTP ${response.status} without a batch`);
  return calls.map((_, id) => {
    const answer: unknown = body.find(
      (item: unknown) => typeof item === 'object' && item !== null && Reflect.get(item, 'id') === id,
    );
    const result = typeof answer === 'object' && answer !== null ? Reflect.get(answer, 'result') : undefined;
    if (typeof result !== 'string') throw new Error(`RPC ${url}: no result for ${calls[id]?.[0]}`);
    return result;
  });
}
