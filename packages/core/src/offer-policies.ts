/**
 * The built-in payment policies of the paying client (`createX402Client({ policies })`): a cap on
 * the amount, and allow-lists of networks and assets. Re-exported by `client.ts`.
 */
import { parseUnits } from './money.js';
import { findAsset, networkMatches, sameAssetId } from './networks/registry.js';
import type { Offer, PaymentPolicy } from './payment-policy.js';

/**
 * Refuse offers above `max`, a decimal in the asset's own units (e.g. `'0.01'` USDC), or an
 * atomic `bigint`. Offers whose asset decimals are unknown are refused (fail closed) unless
 * `max` is atomic.
 *
 * @example maxAmountPolicy('0.01')
 */
export function maxAmountPolicy(max: string | bigint): PaymentPolicy {
  const limitFor = (o: Offer): bigint | undefined => {
    if (typeof max === 'bigint') return max;
    const decimals = findAsset(o.requirements.network, o.requirements.asset)?.decimals;
    return decimals === undefined ? undefined : parseUnits(max, decimals);
  };
  return {
    name: 'maxAmount',
    allows: (o) => {
      const limit = limitFor(o);
      return limit !== undefined && BigInt(o.requirements.amount) <= limit;
    },
    explain: (o) => {
      const limit = limitFor(o);
      if (limit === undefined)
        return `asset ${o.requirements.asset} has unknown decimals, cannot check the ${String(max)} cap`;
      return `amount ${o.requirements.amount} exceeds the cap of ${String(max)} (${limit} atomic units)`;
    },
  };
}

/**
 * Only pay on these networks (CAIP-2 ids or patterns).
 *
 * @example
 * ```ts
 * createX402Client({ schemes, policies: [allowNetworksPolicy(['eip155:8453', 'solana:*'])] })
 * ```
 */
export function allowNetworksPolicy(networks: string[]): PaymentPolicy {
  return {
    name: 'allowNetworks',
    allows: (o) => networks.some((n) => networkMatches(o.requirements.network, n)),
    explain: () => `network not in the allowed list (${networks.join(', ')})`,
  };
}

/**
 * Only pay with these assets (addresses or mints).
 *
 * @example
 * ```ts
 * createX402Client({ schemes, policies: [allowAssetsPolicy(['0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'])] })
 * ```
 */
export function allowAssetsPolicy(assets: string[]): PaymentPolicy {
  return {
    name: 'allowAssets',
    allows: (o) => assets.some((a) => sameAssetId(a, o.requirements.asset)),
    explain: () => `asset not in the allowed list (${assets.join(', ')})`,
  };
}
