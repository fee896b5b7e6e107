/**
 * The two health hooks of a chain runtime, `probe` and `readBalances`, over one list of networks:
 * what the EVM, TRON and Solana runtimes each wired by hand from `probePerNetwork` and
 * `readPerNetwork`.
 */
import type { ChainLog, ChainRuntime, RelayerReading } from './chain-module.js';
import { probePerNetwork, readPerNetwork } from './per-network.js';

/** How one network's node is asked: its probe answer and its settlement keys' readings. */
export type NetworkHealthReads<Node> = {
  probe: (network: string, node: Node, timeoutMs: number) => Promise<string>;
  read: (network: string, node: Node, timeoutMs: number) => Promise<RelayerReading[]>;
};

/**
 * `ChainRuntime.probe` and `ChainRuntime.readBalances` over `networks`, in parallel per network; a
 * network whose balances cannot be read is logged to `log` and skipped.
 *
 * @example
 * return { ...perNetworkHealth(Object.entries(rpc), { probe: probeEvmNetwork, read }, context.log), close }
 */
export function perNetworkHealth<Node>(
  networks: ReadonlyArray<readonly [string, Node]>,
  reads: NetworkHealthReads<Node>,
  log: ChainLog,
): Pick<ChainRuntime, 'probe' | 'readBalances'> {
  return {
    probe: (timeoutMs) => probePerNetwork(networks, (network, node) => reads.probe(network, node, timeoutMs)),
    readBalances: (timeoutMs) =>
      readPerNetwork(networks, (network, node) => reads.read(network, node, timeoutMs), log),
  };
}
