import type { Address } from 'viem';
import { createPublicClient, erc20Abi, http } from 'viem';

/**
 * Reads `balanceOf(address)` of an ERC-20 token, in atomic units.
 *
 * @example
 * ```ts
 * const balance = await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address);
 * // 1000000000n (1000 USDC)
 * ```
 */
export async function readTokenBalance(rpcUrl: string, token: Address, address: Address): Promise<bigint> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  return client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [address] });
}
