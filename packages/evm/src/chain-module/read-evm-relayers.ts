/**
 * The settlement senders' gas money on one EVM network: each address's native balance and nonce
 * lag (transactions sent but not mined: `pending` minus `latest` transaction count), read with one
 * plain JSON-RPC batch per address from the first URL that answers.
 */
import { type RelayerReading, X402Error } from '@x402kit/core';
import { EvmReasons } from '../evm-reasons.js';

/**
 * Read every address on `network`; throws the last URL's error when none answers.
 *
 * @example
 * await readEvmRelayers('eip155:84532', ['http://127.0.0.1:8545'], [facilitatorAddress], 5000)
 * // [{ network: 'eip155:84532', address: '0x…', balance: 10000000000000000000000n, nonceLag: 0 }]
 */
export async function readEvmRelayers(
  network: string,
  urls: readonly string[],
  addresses: readonly string[],
  timeoutMs: number,
): Promise<RelayerReading[]> {
  let last: unknown;
  for (const url of urls) {
    try {
      return await Promise.all(
        addresses.map(async (address) => {
          const [balance, pending, latest] = await rpcBatch(url, timeoutMs, [
            ['eth_getBalance', [address, 'latest']],
            ['eth_getTransactionCount', [address, 'pending']],
            ['eth_getTransactionCount', [address, 'latest']],
          ]);
          const nonceLag = Math.max(0, Number(BigInt(pending ?? '0x0') - BigInt(latest ?? '0x0')));
          return { network, address, balance: BigInt(balance ?? '0x0'), nonceLag };
        }),
      );
    } catch (error) {
      last = error;
    }
  }
  throw last instanceof Error ? last : new X402Error(EvmReasons.config, `no RPC URL for ${network}`);
}

/** A JSON-RPC batch; the `result` strings in request order (a missing or error answer throws). */
async function rpcBatch(
  url: string,
  timeoutMs: number,
  calls: ReadonlyArray<[string, unknown[]]>,
): Promise<Array<string | undefined>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params }))),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body: unknown = await response.json();
  if (!Array.isArray(body))
    throw new X402Error(
      EvmReasons.rpcBadResponse,
      `RPC ${url} answered HTTP ${response.status} without a batch`,
    );
  return calls.map((_, id) => {
    const answer: unknown = body.find(
      (item: unknown) => typeof item === 'object' && item !== null && Reflect.get(item, 'id') === id,
    );
    const result = typeof answer === 'object' && answer !== null ? Reflect.get(answer, 'result') : undefined;
    if (typeof result !== 'string')
      throw new X402Error(EvmReasons.rpcBadResponse, `RPC ${url}: no result for ${calls[id]?.[0]}`);
    return result;
  });
}
