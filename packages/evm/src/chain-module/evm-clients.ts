/**
 * One viem public client per EVM network, made on first use, for the reconcilers.
 */
import { createPublicClient, http, type PublicClient } from 'viem';

/**
 * The client of a CAIP-2 network given in `rpc`, or `undefined` for a network without an RPC URL.
 *
 * @example
 * const clientFor = createEvmClients({ 'eip155:84532': 'http://127.0.0.1:8545' })
 * await clientFor('eip155:84532')?.getBlockNumber()
 */
export function createEvmClients(
  rpc: Readonly<Record<string, string>> = {},
): (network: string) => PublicClient | undefined {
  const clients = new Map<string, PublicClient>();
  return (network) => {
    const url = rpc[network];
    if (!url) return undefined;
    let client = clients.get(network);
    if (!client) {
      client = createPublicClient({ transport: http(url) });
      clients.set(network, client);
    }
    return client;
  };
}
