import { getNetwork, sameAssetId } from '../networks/registry.js';

/** USD amounts inside budgets: atomic units of 18 decimals, so every stablecoin converts exactly. */
export const USD_DECIMALS = 18;

/** Symbols of the registry's stablecoins that are pegged to the US dollar. */
const USD_SYMBOLS = new Set(['USDC', 'USDT', 'USDT0', 'USDD', 'USDM', 'PYUSD', 'DAI', 'USDC.E', 'USD₮']);

/** A registered USD stablecoin: its symbol and decimals. */
export type UsdStablecoin = { symbol: string; decimals: number };

/**
 * The USD stablecoin `asset` is on `network`, found by address (or mint) in the network registry,
 * never by a symbol the server wrote; undefined for any other asset.
 *
 * @example usdStablecoin('eip155:8453', '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913') // { symbol: 'USDC', decimals: 6 }
 */
export function usdStablecoin(network: string, asset: string): UsdStablecoin | undefined {
  const found = getNetwork(network)?.assets.find((a) => sameAssetId(a.address, asset));
  if (!found || !USD_SYMBOLS.has(found.symbol.toUpperCase())) return undefined;
  return { symbol: found.symbol, decimals: found.decimals };
}

/**
 * An atomic amount of a USD stablecoin in budget USD units ({@link USD_DECIMALS} decimals);
 * undefined when the asset is not a registered USD stablecoin.
 *
 * @example toUsdUnits('eip155:8453', USDC_BASE, 10_000n) // 10000000000000000n ($0.01)
 */
export function toUsdUnits(network: string, asset: string, amount: bigint): bigint | undefined {
  const coin = usdStablecoin(network, asset);
  if (!coin) return undefined;
  return coin.decimals <= USD_DECIMALS
    ? amount * 10n ** BigInt(USD_DECIMALS - coin.decimals)
    : amount / 10n ** BigInt(coin.decimals - USD_DECIMALS);
}
