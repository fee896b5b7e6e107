/**
 * Our facilitator deployment (`createFacilitatorApp`: SQLite ledger, background reconciler) whose
 * RPC to the devnet goes through an {@link RpcFaultProxy}, for the "money that moved is never
 * reported as not moved" tests: `cutAfterSend()` makes the next settlement's outcome unknown (the
 * node takes `eth_sendRawTransaction`, the answer is lost, the chain unreadable until `heal()`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Devnet } from '@x402kit/devnet';
import { devnetAccount } from '@x402kit/devnet';
import {
  createFacilitatorApp,
  type FacilitatorApp,
  type FacilitatorServer,
  parseServiceConfig,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { createPublicClient, type Hex, http, parseAbiItem } from 'viem';
import { CHAINS } from './chains.js';
import { type RpcFaultProxy, startRpcFaultProxy } from './rpc-fault-proxy.js';

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

export type CutRpcFacilitator = {
  /** The facilitator's URL. */
  readonly url: string;
  readonly proxy: RpcFaultProxy;
  /** The send is forwarded and its answer lost (reset); the chain cannot be read: the outcome is unknown. */
  cutAfterSend(): void;
  /** How many `eth_sendRawTransaction` went through the cut so far. */
  sendsCut(): number;
  /** The ledger's state of the payment settled in `hash` (`/payments/tx/<hash>`), if it knows it. */
  paymentState(hash: string): Promise<string | undefined>;
  /** Resolve once the background reconciler has settled `hash`. */
  settled(hash: string): Promise<void>;
  /** The devnet token's transfers from the payer to payTo since `fromBlock`. */
  transfersSince(fromBlock: bigint): Promise<Array<{ transactionHash: Hex }>>;
  /** The next block number: what `transfersSince` counts from, for a test's transfers. */
  nextBlock(): Promise<bigint>;
  close(): Promise<void>;
};

/** Poll `check` every 100 ms until it holds, or throw naming `what`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Start the deployment on 127.0.0.1 for `devnet` (receipt timeout 1.5 s, RPC timeout 1 s,
 * reconciler every 200 ms), its RPC through a fault proxy.
 *
 * @example
 * const facilitator = await startCutRpcFacilitator(devnet, { instanceId: 'mcp-rpc-cut' })
 * facilitator.cutAfterSend()
 * // ... a paid call answers settlement_pending with the hash ...
 * facilitator.proxy.heal()
 * await facilitator.settled(hash)
 */
export async function startCutRpcFacilitator(
  devnet: Devnet,
  options: { instanceId: string },
): Promise<CutRpcFacilitator> {
  const dir = mkdtempSync(join(tmpdir(), `x402kit-${options.instanceId}-`));
  const proxy = await startRpcFaultProxy({ target: devnet.rpcUrl });
  const config = parseServiceConfig(
    {
      networks: { [devnet.network]: { rpc: [proxy.url] } },
      signers: { privateKeys: [devnetAccount(5).privateKey] },
      ledger: { sqlite: { path: join(dir, 'ledger.db') } },
      instanceId: options.instanceId,
      settlement: { receiptTimeoutMs: 1500, rpcTimeoutMs: 1000 },
      reconciler: { intervalMs: 200, leaseMs: 500, quietMs: 3000 },
      monitoring: { intervalMs: 60_000 },
    },
    { chains: CHAINS },
  );
  let app: FacilitatorApp | undefined;
  let server: FacilitatorServer | undefined;
  try {
    app = await createFacilitatorApp(config, { log: () => {} });
    server = await startFacilitatorServer({ service: app.service, port: 0 });
  } catch (error) {
    await app?.close();
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = server.url;
  // no cached block number: each test counts from the block it starts at
  const chain = createPublicClient({ transport: http(devnet.rpcUrl), cacheTime: 0 });

  async function paymentState(hash: string): Promise<string | undefined> {
    const res = await fetch(`${url}/payments/tx/${hash}`);
    if (res.status !== 200) return undefined;
    const body: unknown = await res.json();
    const payment = typeof body === 'object' && body !== null ? Reflect.get(body, 'payment') : undefined;
    const state = typeof payment === 'object' && payment !== null ? Reflect.get(payment, 'state') : undefined;
    return typeof state === 'string' ? state : undefined;
  }

  return {
    url,
    proxy,
    cutAfterSend() {
      proxy.setFault('eth_sendRawTransaction', { kind: 'reset' });
      proxy.setFault('eth_getTransactionByHash', { kind: 'reset' });
      proxy.setFault('eth_getTransactionReceipt', { kind: 'reset' });
    },
    sendsCut: () => proxy.seen.get('eth_sendRawTransaction')?.faulted ?? 0,
    paymentState,
    settled: (hash) =>
      until(`the reconciler to settle ${hash}`, async () => (await paymentState(hash)) === 'settled'),
    transfersSince: (fromBlock) =>
      chain.getLogs({
        address: devnet.token.address,
        event: transferEvent,
        args: { from: devnet.accounts.payer.address as Hex, to: devnet.accounts.payTo.address as Hex },
        fromBlock,
      }),
    nextBlock: async () => (await chain.getBlockNumber()) + 1n,
    async close() {
      proxy.heal();
      await server?.close();
      await app?.close();
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
