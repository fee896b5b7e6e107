/**
 * The two `batch-settlement` stacks the bench compares, on one devnet, each with its own counting RPC
 * proxy in front of anvil (every chain call the stack makes, facilitator and clients, passes through it):
 * ours (our client + our Express middleware with our server scheme + our facilitator service) and the
 * official one (`@x402/evm/batch-settlement/{client,server,facilitator}` + `@x402/express` + `@x402/fetch`,
 * the official facilitator engine served over HTTP). Each gives the same handles: a paying fetch per
 * channel, the claim-and-sweep, and one in-process verify + settle of a voucher (no HTTP).
 */
import { x402Client } from '@x402/core/client';
import { x402Facilitator } from '@x402/core/facilitator';
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { toClientEvmSigner } from '@x402/evm';
import { BatchSettlementEvmScheme as OfficialBatchClient } from '@x402/evm/batch-settlement/client';
import { BatchSettlementEvmScheme as OfficialBatchFacilitator } from '@x402/evm/batch-settlement/facilitator';
import { BatchSettlementEvmScheme as OfficialBatchServer } from '@x402/evm/batch-settlement/server';
import { paymentMiddleware as officialMiddleware } from '@x402/express';
import { wrapFetchWithPayment as officialWrapFetch } from '@x402/fetch';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  createX402Client,
  formatUnits,
  type PaymentPayload,
  type PaymentRequirements,
  type SchemeSessionContext,
} from '@x402kit/core';
import type { Devnet } from '@x402kit/devnet';
import {
  createBatchSettlementEvmClient,
  createBatchSettlementEvmServer,
  createMemoryChannelStore,
  startClaimScheduler,
} from '@x402kit/evm/batch-settlement';
import { wrapFetchWithPayment } from '@x402kit/http';
import { paymentMiddleware } from '@x402kit/http/express';
import { listenLocal } from '@x402kit/testing/listen';
import { officialFacilitatorSigner, serveOfficialFacilitator } from '@x402kit/testing/official';
import { startOurFacilitator } from '@x402kit/testing/ours';
import { type RpcFaultProxy, startRpcFaultProxy } from '@x402kit/testing/rpc-fault-proxy';
import express from 'express';
import { createPublicClient, type Hex, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

/** One stack under test. */
export type BatchStack = {
  name: 'ours' | 'official';
  /** The paid route. */
  url: string;
  /** JSON-RPC calls that reached anvil through this stack's proxy so far. */
  rpcCalls(): number;
  /** A paying fetch on its own channel (`salt`), depositing `requests` x the price when it opens. */
  payer(key: Hex, salt: number, requests: number): typeof fetch;
  /** Claim every channel the server served and sweep to the receiver: the transactions, claims first. */
  claimAll(): Promise<Hex[]>;
  /** The server's verify then settle of one voucher payment, in-process: true when both succeeded. */
  verifyAndSettle(
    payment: PaymentPayload,
    requirements: PaymentRequirements,
    attempt: string,
  ): Promise<boolean>;
  close(): Promise<void>;
};

const saltOf = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
const ROUTE = '/weather';
/** The route's price in dollars, from atomic units of the devnet's 6-decimal USDC. */
const priceOf = (atomic: bigint) => `$${formatUnits(atomic, 6)}`;

/** Express with the route behind `middleware`, on 127.0.0.1. */
async function serveRoute(middleware: express.RequestHandler) {
  const app = express();
  app.use(middleware);
  app.get(ROUTE, (_req, res) => {
    res.json({ report: { weather: 'sunny' } });
  });
  return listenLocal(app);
}

function countOf(proxy: RpcFaultProxy): number {
  let total = 0;
  for (const { total: n } of proxy.seen.values()) total += n;
  return total;
}

/**
 * Ours: our facilitator service (chain module) through its RPC proxy, our Express middleware with
 * {@link createBatchSettlementEvmServer} (receiver authorizer: the facilitator's), our claim scheduler.
 */
export async function startOurBatchStack(devnet: Devnet, price: bigint): Promise<BatchStack> {
  const proxy = await startRpcFaultProxy({ target: devnet.rpcUrl });
  const facilitator = await startOurFacilitator({
    rpcUrl: proxy.url,
    network: devnet.network,
    privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
  });
  const facilitatorClient = createHttpFacilitatorClient({ url: facilitator.url });
  // in memory: the default SQLite file in the data directory would carry channels of earlier runs
  const scheme = createBatchSettlementEvmServer({ store: createMemoryChannelStore() });
  const resourceServer = createResourceServer({
    facilitators: facilitatorClient,
    schemes: [{ network: 'eip155:*', server: scheme }],
  });
  await resourceServer.initialize();
  const accepts = {
    scheme: 'batch-settlement',
    network: devnet.network,
    payTo: devnet.accounts.payTo.address,
    price: priceOf(price),
  };
  const api = await serveRoute(
    paymentMiddleware({ [`GET ${ROUTE}`]: { accepts, description: 'weather' } }, resourceServer),
  );
  const scheduler = startClaimScheduler({
    store: scheme.store,
    facilitator: facilitatorClient,
    network: devnet.network,
    policy: { intervalMs: 3_600_000, maxBatch: 200 },
  });
  const noFacilitator: SchemeSessionContext['facilitator'] = {
    verify: () => Promise.reject(new Error('a voucher reached the facilitator (verify)')),
    settle: () => Promise.reject(new Error('a voucher reached the facilitator (settle)')),
  };
  return {
    name: 'ours',
    url: `${api.url}${ROUTE}`,
    rpcCalls: () => countOf(proxy),
    payer(key, salt, requests) {
      const client = createBatchSettlementEvmClient({
        signer: privateKeyToAccount(key),
        salt: saltOf(salt),
        depositPolicy: { multiplier: requests },
        rpcUrl: proxy.url,
      });
      return wrapFetchWithPayment(fetch, createX402Client({ schemes: [{ network: 'eip155:*', client }] }));
    },
    async claimAll() {
      const run = await scheduler.claimNow();
      if (run.failures.length > 0) throw new Error(`our claim failed: ${run.failures.join('; ')}`);
      return [...run.claimTransactions, ...run.sweepTransactions] as Hex[];
    },
    async verifyAndSettle(payment, requirements, attempt) {
      const ctx = { attempt, facilitator: noFacilitator };
      const verdict = await scheme.session.verify(payment, requirements, ctx);
      if (!verdict.isValid) return false;
      return (await scheme.session.settle(payment, requirements, ctx)).success;
    },
    async close() {
      await scheduler.stop();
      await api.close();
      await facilitator.close();
      await proxy.close();
    },
  };
}

/**
 * The official stack: `x402Facilitator` + the official batch-settlement facilitator (its own receiver
 * authorizer key) served over HTTP, `x402ResourceServer` + the official server scheme behind
 * `@x402/express`, its channel manager's `claimAndSettle`, and the official client with `@x402/fetch`.
 */
export async function startOfficialBatchStack(
  devnet: Devnet,
  price: bigint,
  relayerKey: Hex,
  depositRequests: number,
): Promise<BatchStack> {
  const proxy = await startRpcFaultProxy({ target: devnet.rpcUrl });
  const network = devnet.network as `${string}:${string}`;
  const { signer } = officialFacilitatorSigner({
    rpcUrl: proxy.url,
    privateKey: relayerKey,
    pollingIntervalMs: 50,
  });
  const authorizer = privateKeyToAccount(generatePrivateKey());
  const engine = new x402Facilitator().register(
    network,
    new OfficialBatchFacilitator(signer, authorizer as never),
  );
  const facilitator = await serveOfficialFacilitator(engine);
  const facilitatorClient = new HTTPFacilitatorClient({ url: facilitator.url });
  const scheme = new OfficialBatchServer(devnet.accounts.payTo.address as Hex);
  const resourceServer = new x402ResourceServer(facilitatorClient).register(network, scheme);
  // its server announces extra.minDeposit (10 x the price by default) and its client deposits that
  // instead of its own multiplier, topping up every 10 requests: the route asks for the bench's deposit
  const accepts = {
    scheme: 'batch-settlement',
    network,
    payTo: devnet.accounts.payTo.address,
    price: priceOf(price),
    extra: { minDeposit: (price * BigInt(depositRequests)).toString() },
  };
  const api = await serveRoute(
    officialMiddleware(
      { [`GET ${ROUTE}`]: { accepts, description: 'weather' } },
      resourceServer,
    ) as express.RequestHandler,
  );
  const manager = scheme.createChannelManager(facilitatorClient, network);
  const chain = createPublicClient({ transport: http(proxy.url) });
  return {
    name: 'official',
    url: `${api.url}${ROUTE}`,
    rpcCalls: () => countOf(proxy),
    payer(key, salt, requests) {
      const signerOf = toClientEvmSigner(privateKeyToAccount(key), chain as never);
      const client = new OfficialBatchClient(signerOf, {
        depositPolicy: { depositMultiplier: requests },
        rpcUrl: proxy.url,
        salt: saltOf(salt),
      });
      const x402 = new x402Client().register(network, client);
      return officialWrapFetch(fetch, x402) as typeof fetch;
    },
    async claimAll() {
      const { claims, settle } = await manager.claimAndSettle({ maxClaimsPerBatch: 200 } as never);
      return [...claims.map((c) => c.transaction), ...(settle ? [settle.transaction] : [])] as Hex[];
    },
    async verifyAndSettle(payment, requirements) {
      const verdict = await resourceServer.verifyPayment(payment as never, requirements as never);
      if (!verdict.isValid) return false;
      return (await resourceServer.settlePayment(payment as never, requirements as never)).success;
    },
    async close() {
      await api.close();
      await facilitator.close();
      await proxy.close();
    },
  };
}
