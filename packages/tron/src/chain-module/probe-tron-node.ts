/**
 * Does a TRON node answer? `POST /wallet/getnowblock` must return a block, within the time given.
 */
import type { TronNodeEndpoint } from '../node-endpoint.js';

/**
 * `'ok'` when `node` answers `/wallet/getnowblock` with a block, else `'error: …'`. Never throws.
 *
 * @example
 * await probeTronNode({ fullHost: 'https://nile.trongrid.io' }, 2000) // 'ok'
 */
export async function probeTronNode(node: TronNodeEndpoint, timeoutMs: number): Promise<string> {
  try {
    const response = await fetch(`${node.fullHost.replace(/\/+$/, '')}/wallet/getnowblock`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(node.apiKey ? { 'TRON-PRO-API-KEY': node.apiKey } : {}),
      },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body: unknown = await response.json();
    const blockId = typeof body === 'object' && body !== null && 'blockID' in body ? body.blockID : undefined;
    return typeof blockId === 'string'
      ? 'ok'
      : `error: no block from the TRON node (HTTP ${response.status})`;
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}
