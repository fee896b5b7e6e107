/**
 * Does an EVM network's node answer? Each RPC URL is asked `eth_chainId` in turn; the first that
 * answers with the network's own chain id makes the network `ok` (one URL answering is enough).
 */
import { evmChainId } from '@x402kit/core';
import { requestEvmChainId } from './request-evm-chain-id.js';

/**
 * `'ok'`, or `'error: …'` with the last URL's failure. Never throws.
 *
 * @example
 * await probeEvmNetwork('eip155:84532', ['http://127.0.0.1:8545'], 2000) // 'ok'
 */
export async function probeEvmNetwork(
  network: string,
  urls: readonly string[],
  timeoutMs: number,
): Promise<string> {
  const expected = evmChainId(network);
  let last = 'no RPC URL';
  for (const url of urls) {
    try {
      const { status, result } = await requestEvmChainId(url, timeoutMs);
      if (typeof result !== 'string') {
        last = `error: no eth_chainId result (HTTP ${status})`;
        continue;
      }
      if (expected !== undefined && Number(BigInt(result)) !== expected) {
        last = `error: RPC is on chain ${Number(BigInt(result))}`;
        continue;
      }
      return 'ok';
    } catch (error) {
      last = `error: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return last;
}
