import type { Chain } from 'viem';
import { defineChain } from 'viem';
import { MULTICALL3_ADDRESS } from './multicall3.js';

/** Parameters of {@link devnetChain}. */
export interface DevnetChainParameters {
  chainId: number;
  rpcUrl: string;
  /** Display name; defaults to `x402kit devnet <chainId>`. */
  name?: string;
}

/**
 * A viem `Chain` for a devnet: its id, its RPC URL, ETH as native currency and Multicall3 at the canonical
 * address (so `client.multicall` works).
 *
 * @example
 * ```ts
 * const chain = devnetChain({ chainId: 84532, rpcUrl: devnet.rpcUrl });
 * const client = createPublicClient({ chain, transport: http() });
 * ```
 */
export function devnetChain(parameters: DevnetChainParameters): Chain {
  return defineChain({
    id: parameters.chainId,
    name: parameters.name ?? `x402kit devnet ${parameters.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [parameters.rpcUrl] } },
    contracts: { multicall3: { address: MULTICALL3_ADDRESS, blockCreated: 0 } },
    testnet: true,
  });
}
