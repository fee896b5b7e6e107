/**
 * One `eth_chainId` request to an RPC URL, the question every start-up check of an EVM node asks:
 * the facilitator's readiness probe and the CLI's check of its configured RPC URLs.
 */

/**
 * What the node answered: the HTTP status and the JSON-RPC `result` as sent (not yet checked).
 *
 * @example
 * const answer: EvmChainIdAnswer = { status: 200, result: '0x14a34' };
 */
export type EvmChainIdAnswer = { status: number; result: unknown };

/**
 * Posts `eth_chainId` to `url`, giving up after `timeoutMs`.
 *
 * @throws when the URL does not answer in time, or answers with no JSON.
 * @example
 * const { result } = await requestEvmChainId('http://127.0.0.1:8545', 2000); // result '0x14a34'
 */
export async function requestEvmChainId(url: string, timeoutMs: number): Promise<EvmChainIdAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body: unknown = await response.json();
  const result = typeof body === 'object' && body !== null ? Reflect.get(body, 'result') : undefined;
  return { status: response.status, result };
}
