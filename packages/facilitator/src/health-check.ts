/**
 * `GET /health` for a configured facilitator: every network's RPC answers `eth_chainId` with its
 * chain (one URL of a network answering is enough) and the ledger answers a cheap query. When one
 * fails, `/health` answers 503 with `networks: { "eip155:84532": "ok" | "error: …" }, ledger: …`.
 */
import { evmChainId } from '@x402kit/core';
import type { PaymentLedger } from './ledger/index.js';
import type { HealthReport } from './service.js';

export type HealthCheckOptions = {
  /** RPC URLs per CAIP-2 network. */
  rpc: Record<string, readonly string[]>;
  ledger?: PaymentLedger;
  /** TRON nodes per network: each must answer `/wallet/getnowblock`. */
  tron?: Record<string, { fullHost: string; apiKey?: string }>;
  /** Per probe; default 2000 ms. */
  timeoutMs?: number;
};

/**
 * Create the `checkHealth` hook.
 *
 * @example
 * createFacilitatorService({ facilitator, checkHealth: createHealthCheck({ rpc: config.rpc, ledger }) })
 */
export function createHealthCheck(options: HealthCheckOptions): () => Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async function checkHealth() {
    const networks: Record<string, string> = {};
    await Promise.all([
      ...Object.entries(options.rpc).map(async ([network, urls]) => {
        networks[network] = await probeNetwork(network, urls, timeoutMs);
      }),
      ...Object.entries(options.tron ?? {}).map(async ([network, node]) => {
        networks[network] = await probeTronNode(node, timeoutMs);
      }),
    ]);
    let ledger: string | undefined;
    if (options.ledger) {
      ledger = await withTimeout(options.ledger.list({ limit: 1 }), timeoutMs).then(
        () => 'ok',
        (error: unknown) => `error: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const ok = Object.values(networks).every((v) => v === 'ok') && (ledger === undefined || ledger === 'ok');
    // a healthy answer stays `{"status":"ok"}` (what load balancers and the e2e harness expect)
    return ok ? { ok } : { ok, details: { networks, ...(ledger === undefined ? {} : { ledger }) } };
  };
}

async function probeNetwork(network: string, urls: readonly string[], timeoutMs: number): Promise<string> {
  const expected = evmChainId(network);
  let last = 'no RPC URL';
  for (const url of urls) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body: unknown = await response.json();
      const result = typeof body === 'object' && body !== null && 'result' in body ? body.result : undefined;
      if (typeof result !== 'string') {
        last = `error: no eth_chainId result (HTTP ${response.status})`;
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function probeTronNode(
  node: { fullHost: string; apiKey?: string },
  timeoutMs: number,
): Promise<string> {
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
