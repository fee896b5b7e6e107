/**
 * A start-up sanity check of RPC URLs: each answers `eth_chainId` with the chain of the network
 * it was configured for. A wrong chain is a configuration error (signatures would be checked
 * against the wrong domain); an unreachable RPC is only a warning (it may come up later).
 */
import { evmChainId } from '@x402kit/core';
import { requestEvmChainId } from '@x402kit/evm/chain-module';

export type RpcProblem = { kind: 'mismatch' | 'unreachable'; network: string; url: string; message: string };

/**
 * Ask every URL for its chain id, concurrently, each with a short timeout.
 *
 * @example
 * const problems = await checkRpcChainIds({ 'eip155:84532': ['http://127.0.0.1:8545'] })
 * // [] when the node is up and on chain 84532
 */
export async function checkRpcChainIds(
  rpc: Readonly<Record<string, readonly string[]>>,
  options: { timeoutMs?: number } = {},
): Promise<RpcProblem[]> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const checks = Object.entries(rpc).flatMap(([network, urls]) =>
    urls.map(async (url): Promise<RpcProblem | undefined> => {
      const expected = evmChainId(network);
      try {
        const { status, result } = await requestEvmChainId(url, timeoutMs);
        if (typeof result !== 'string' || !/^0x[0-9a-fA-F]+$/.test(result)) {
          return problem(
            'unreachable',
            network,
            url,
            `answered eth_chainId out of protocol (HTTP ${status})`,
          );
        }
        const actual = Number.parseInt(result, 16);
        if (expected !== undefined && actual !== expected) {
          return problem(
            'mismatch',
            network,
            url,
            `is on chain ${actual}, not ${expected}: fix the network or the URL`,
          );
        }
        return undefined;
      } catch (error) {
        const cause =
          error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
        const why =
          error instanceof Error && error.name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : (cause ?? String(error));
        return problem(
          'unreachable',
          network,
          url,
          `is unreachable for now (${why}); requests will fail until it answers`,
        );
      }
    }),
  );
  return (await Promise.all(checks)).filter((p): p is RpcProblem => p !== undefined);
}

function problem(kind: RpcProblem['kind'], network: string, url: string, what: string): RpcProblem {
  return { kind, network, url, message: `RPC ${redact(url)} for ${network} ${what}` };
}

/** RPC URLs often carry an API key in the path or query: show only the origin. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && parsed.search === '' ? parsed.origin : `${parsed.origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}
