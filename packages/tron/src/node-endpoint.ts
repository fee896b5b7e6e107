/**
 * A TRON node as the TRON options name it: TronWeb's `fullHost`, the TronGrid key and, where a
 * caller sets it, the per-request timeout; and the node client made from it. One shape for the
 * clients, facilitators, reconcilers and the facilitator service's `tron.networks` config.
 */
import { createTronNodeClient, type TronNodeClient } from './node-client.js';

/**
 * A TRON node and its TronGrid key, as the TRON clients take them.
 *
 * @example
 * const nile: TronNodeEndpoint = { fullHost: 'https://nile.trongrid.io', apiKey: gridKey }
 */
export type TronNodeEndpoint = {
  /** Base URL of the node (TronWeb's `fullHost`), e.g. `https://nile.trongrid.io`. */
  fullHost: string;
  /** TronGrid key, sent as `TRON-PRO-API-KEY`. */
  apiKey?: string | undefined;
  /** Per-request node timeout; default 10 000 ms. */
  timeoutMs?: number | undefined;
};

/**
 * The node client of `endpoint`.
 *
 * @example
 * const node = connectTronNode({ fullHost: 'https://nile.trongrid.io', apiKey: gridKey });
 * await node.getNowBlock();
 */
export function connectTronNode(endpoint: TronNodeEndpoint): TronNodeClient {
  return createTronNodeClient({
    url: endpoint.fullHost,
    ...(endpoint.apiKey ? { apiKey: endpoint.apiKey } : {}),
    ...(endpoint.timeoutMs ? { timeoutMs: endpoint.timeoutMs } : {}),
  });
}
