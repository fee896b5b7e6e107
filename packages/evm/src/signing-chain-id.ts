/**
 * The chain id a paying client signs for: that of an `eip155:<id>` network (v1 names accepted).
 */
import { evmChainId, Reasons, toCaip2, X402Error } from '@x402kit/core';

/**
 * Chain id of an `eip155:<id>` network (v1 names accepted); throws `invalid_network` otherwise,
 * naming `what` client refused it.
 *
 * @example chainIdOf('base-sepolia', 'exact') // 84532
 */
export function chainIdOf(network: string, what: string): number {
  const chainId = evmChainId(toCaip2(network) ?? network);
  if (chainId === undefined) {
    throw new X402Error(
      Reasons.invalidNetwork,
      `${what} EVM client: network "${network}" is not an EVM network (expected eip155:<chainId>)`,
    );
  }
  return chainId;
}
