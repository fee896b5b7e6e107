/**
 * Gas fees for relayed transactions, read from the chain and cached for a short time so a burst of
 * settles costs one fee lookup, not one per transaction.
 */
import type { PublicClient } from 'viem';

/** EIP-1559 fees, or a legacy gas price on chains without a base fee. */
export type GasFees =
  | { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  | { type: 'legacy'; gasPrice: bigint };

/** Options of `createFeeOracle`. */
export type FeeOracleOptions = {
  client: Pick<PublicClient, 'getBlock' | 'getGasPrice' | 'request'>;
  /** How long one reading is reused; default 2000 ms. */
  cacheMs?: number;
};

/** What `createFeeOracle` returns. */
export type FeeOracle = {
  get(): Promise<GasFees>;
  /** Drop the cached reading (after a send was rejected, for example for a too-low fee). */
  invalidate(): void;
};

/**
 * Create a fee oracle. EIP-1559 `maxFeePerGas` = 2 x base fee + priority fee, which stays above the
 * base fee for several full blocks; `maxPriorityFeePerGas` comes from `eth_maxPriorityFeePerGas`.
 *
 * @example
 * const fees = createFeeOracle({ client: publicClient })
 * const { maxFeePerGas } = await fees.get()
 */
export function createFeeOracle(options: FeeOracleOptions): FeeOracle {
  const cacheMs = options.cacheMs ?? 2000;
  let cached: { fees: GasFees; at: number } | undefined;
  let inFlight: Promise<GasFees> | undefined;

  async function read(): Promise<GasFees> {
    const { client } = options;
    const [block, priority] = await Promise.all([
      client.getBlock({ blockTag: 'latest' }),
      readPriorityFee(client),
    ]);
    const baseFee = block.baseFeePerGas;
    if (baseFee === null || baseFee === undefined) {
      const gasPrice = await client.getGasPrice();
      return { type: 'legacy', gasPrice: (gasPrice * 12n) / 10n };
    }
    const maxPriorityFeePerGas = priority ?? 0n;
    return { type: 'eip1559', maxFeePerGas: baseFee * 2n + maxPriorityFeePerGas, maxPriorityFeePerGas };
  }

  return {
    get() {
      if (cached && Date.now() - cached.at < cacheMs) return Promise.resolve(cached.fees);
      if (!inFlight) {
        inFlight = read()
          .then((fees) => {
            cached = { fees, at: Date.now() };
            return fees;
          })
          .finally(() => {
            inFlight = undefined;
          });
      }
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

async function readPriorityFee(client: Pick<PublicClient, 'request'>): Promise<bigint | undefined> {
  try {
    const hex = await client.request({ method: 'eth_maxPriorityFeePerGas' });
    return BigInt(hex);
  } catch {
    // chains without the method: pay no tip
    return undefined;
  }
}
