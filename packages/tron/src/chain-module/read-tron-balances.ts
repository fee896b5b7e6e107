/**
 * The TRX balances (in SUN) of the settlement keys on one TRON network: their TRX pays the energy
 * of every settlement, so the service watches them.
 */
import type { RelayerReading } from '@x402kit/core';
import type { TronNodeEndpoint } from '../node-endpoint.js';
import { TronNodeError } from '../node-error.js';
import { TronReasons } from '../reasons.js';

/**
 * Read every address's balance through `node` (`/wallet/getaccount`); an account never activated
 * has none (0). Throws when the node does not answer, for the caller to log and skip the network.
 *
 * @example
 * await readTronBalances('tron:nile', { fullHost }, ['TQ…'], 5000) // [{ network: 'tron:nile', address: 'TQ…', balance: 10000000000n, nonceLag: 0 }]
 */
export async function readTronBalances(
  network: string,
  node: TronNodeEndpoint,
  addresses: readonly string[],
  timeoutMs: number,
): Promise<RelayerReading[]> {
  return Promise.all(
    addresses.map(async (address) => {
      const response = await fetch(`${node.fullHost.replace(/\/+$/, '')}/wallet/getaccount`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(node.apiKey ? { 'TRON-PRO-API-KEY': node.apiKey } : {}),
        },
        body: JSON.stringify({ address, visible: true }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok)
        throw new TronNodeError(TronReasons.nodeHttpError, `getaccount answered HTTP ${response.status}`, {
          path: '/wallet/getaccount',
          status: response.status,
        });
      const body: unknown = await response.json();
      // an account never activated answers {}: no TRX
      const raw = typeof body === 'object' && body !== null && 'balance' in body ? body.balance : 0;
      const balance = BigInt(typeof raw === 'number' || typeof raw === 'string' ? raw : 0);
      return { network, address, balance, nonceLag: 0 };
    }),
  );
}
