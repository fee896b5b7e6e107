/**
 * The per-network loops every chain module's runtime runs for `/health` and the relayer gauges:
 * ask each network's nodes in parallel, and never let one network's failure hide the others.
 */
import type { ChainLog, RelayerReading } from './chain-module.js';

/**
 * `ChainRuntime.probe` over `networks`: each network's answer (`'ok'` or `'error: …'`), in parallel.
 *
 * @example
 * probe: (timeoutMs) => probePerNetwork(Object.entries(rpc), (network, urls) => probeEvmNetwork(network, urls, timeoutMs))
 */
export async function probePerNetwork<Node>(
  networks: ReadonlyArray<readonly [string, Node]>,
  probe: (network: string, node: Node) => Promise<string>,
): Promise<Record<string, string>> {
  const answers = await Promise.all(
    networks.map(async ([network, node]) => {
      try {
        return [network, await probe(network, node)] as const;
      } catch (error) {
        return [network, `error: ${error instanceof Error ? error.message : String(error)}`] as const;
      }
    }),
  );
  return Object.fromEntries(answers);
}

/**
 * `ChainRuntime.readBalances` over `networks`: every network's readings, in parallel; a network that
 * fails is logged as a warning (`relayer monitor: cannot read relayer balances`) and skipped.
 *
 * @example
 * readBalances: (timeoutMs) => readPerNetwork(Object.entries(rpc), (network, urls) => readEvmRelayers(network, urls, addresses, timeoutMs), context.log)
 */
export async function readPerNetwork<Node>(
  networks: ReadonlyArray<readonly [string, Node]>,
  read: (network: string, node: Node) => Promise<RelayerReading[]>,
  log: ChainLog,
): Promise<RelayerReading[]> {
  const rounds = await Promise.all(
    networks.map(([network, node]) =>
      read(network, node).catch((error: unknown): RelayerReading[] => {
        log({
          level: 'warn',
          message: 'relayer monitor: cannot read relayer balances',
          data: { network, error: error instanceof Error ? error.message : String(error) },
        });
        return [];
      }),
    ),
  );
  return rounds.flat();
}
