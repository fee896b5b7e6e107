/**
 * Multicall3, the batching contract deployed at one address on every chain that has it: verification
 * reads through it, ERC-6492 deployments go through it and settlements can be batched into it.
 */
import type { Address } from 'viem';

/**
 * Canonical Multicall3 address (same on every chain that has it).
 *
 * @example
 * await client.multicall({ contracts, multicallAddress: MULTICALL3_ADDRESS, allowFailure: true })
 */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11';
