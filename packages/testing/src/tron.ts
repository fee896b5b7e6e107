/**
 * Our TRON `exact_permit` stack on 127.0.0.1 for end-to-end and interop tests: the facilitator service
 * over a TRON devnet node, a paid Express API, a paying fetch, TRON transactions sent through the node,
 * and a lying node (a real proxy in front of the devnet node that rewrites the transactions it builds).
 */
import {
  createFacilitator,
  createHttpFacilitatorClient,
  createResourceServer,
  createX402Client,
  type Facilitator,
  type FacilitatorHooks,
} from '@x402kit/core';
import type { TronDevnet } from '@x402kit/devnet';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import { wrapFetchWithPayment } from '@x402kit/http';
import { paymentMiddleware } from '@x402kit/http/express';
import {
  buildTriggerTransaction,
  checkTriggerTransaction,
  createTronNodeClient,
  decodeTriggerTransaction,
  signTronTransaction,
  type TronNodeClient,
  toEvmHex,
  waitForTransactionInfo,
} from '@x402kit/tron';
import {
  createExactPermitTronClient,
  createExactPermitTronFacilitator,
  createExactPermitTronServer,
  type ExactPermitTronClientOptions,
  type ExactPermitTronFacilitator,
  type ExactPermitTronFacilitatorOptions,
  type ExactPermitTronServerOptions,
} from '@x402kit/tron/exact-permit';
import {
  createExactGasFreeFacilitator,
  createExactGasFreeServer,
  type ExactGasFreeFacilitator,
} from '@x402kit/tron/gasfree';
import express from 'express';
import { encodeFunctionData, erc20Abi, type Hex } from 'viem';
import { listenLocal } from './listen.js';

/** Something running that a test stops. */
export type RunningTron = { url: string; close: () => Promise<void> };

/** The facilitator's flat fee in the TRON tests: 100 units (0.0001 USDT), BofAI's hosted default. */
export const TRON_FEE = 100n;

/**
 * Our facilitator service with `exact_permit` on the devnet's Nile, `/fee/quote` enabled; `hooks` go
 * to the engine (the ledger's, for the grant rule: `createLedgerHooks`).
 */
export async function startOurTronFacilitator(
  devnet: TronDevnet,
  opts: {
    feeTo: string;
    fullHost?: string;
    tuning?: Partial<ExactPermitTronFacilitatorOptions>;
    hooks?: FacilitatorHooks;
  },
): Promise<RunningTron & { permit: ExactPermitTronFacilitator }> {
  const permit = createExactPermitTronFacilitator({
    networks: { 'tron:nile': { fullHost: opts.fullHost ?? devnet.fullHost } },
    signers: [devnet.accounts.facilitator.privateKey],
    fees: { 'tron:nile': { [devnet.assets.USDT.address]: { feeTo: opts.feeTo, amount: TRON_FEE } } },
    pollMs: 100,
    receiptTimeoutMs: 20_000,
    ...opts.tuning,
  });
  // `tron:*` routes the hex/decimal id forms to the scheme (which canonicalizes them); `/supported`
  // lists only the concrete `tron:nile`
  const facilitator = createFacilitator({
    schemes: [{ networks: [...permit.networks, 'tron:*'], facilitator: permit, x402Versions: [2] }],
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
  });
  const server = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator, feeQuote: permit.quoteFee }),
    port: 0,
  });
  return {
    url: server.url,
    permit,
    close: async () => {
      permit.close();
      await server.close();
    },
  };
}

/** A route of {@link startOurTronServer}: path, price and network id form of its config. */
export type TronRoute = { path: string; price: string; network?: string };

/**
 * An Express app protected by our middleware with `exact_permit` on TRON; `handlerCalls` counts the
 * runs of its paid handlers.
 */
export async function startOurTronServer(opts: {
  facilitatorUrl: string;
  payTo: string;
  routes: readonly TronRoute[];
  server?: ExactPermitTronServerOptions;
}): Promise<RunningTron & { handlerCalls: () => number }> {
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: opts.facilitatorUrl }),
    schemes: [{ network: 'tron:*', server: createExactPermitTronServer(opts.server) }],
  });
  await resourceServer.initialize();
  const routes = Object.fromEntries(
    opts.routes.map((r) => [
      `GET ${r.path}`,
      {
        accepts: {
          scheme: 'exact_permit',
          network: r.network ?? 'tron:nile',
          payTo: opts.payTo,
          price: r.price,
        },
        description: r.path,
      },
    ]),
  );
  const app = express();
  app.use(paymentMiddleware(routes, resourceServer));
  let calls = 0;
  for (const r of opts.routes) {
    app.get(r.path, (_req, res) => {
      calls++;
      res.json({ paid: r.path });
    });
  }
  const { url, close } = await listenLocal(app);
  return { url, close, handlerCalls: () => calls };
}

/** Our paying fetch with the TRON `exact_permit` client. */
export function ourTronFetch(options: ExactPermitTronClientOptions): typeof fetch {
  const client = createX402Client({
    schemes: [{ network: 'tron:*', client: createExactPermitTronClient(options) }],
  });
  return wrapFetchWithPayment(fetch, client);
}

/** A TRC-20 `transfer` sent through the node from `privateKey` (checked before signing), awaited. */
export async function sendTrc20Transfer(
  node: TronNodeClient,
  args: { privateKey: string; from: string; token: string; to: string; amount: bigint },
): Promise<string> {
  const data = encodeFunctionData({
    abi: erc20Abi,
    functionName: 'transfer',
    args: [toEvmHex(args.to), args.amount],
  });
  const call = { owner: args.from, contract: args.token, data };
  const tx = await node.triggerSmartContract({ ...call, feeLimit: 100_000_000 });
  checkTriggerTransaction(tx, { ...call, maxFeeLimit: 100_000_000 });
  const { txid } = await node.broadcastTransaction(await signTronTransaction(tx, args.privateKey));
  const info = await waitForTransactionInfo(node, txid, { timeoutMs: 20_000, pollMs: 100 });
  if (info.receipt?.result !== 'SUCCESS') throw new Error(`transfer ${txid} ended ${info.receipt?.result}`);
  return txid;
}

/** How a lying node rewrites the transactions it builds. */
export type LieMode = 'contract' | 'data';

/**
 * A real HTTP proxy in front of a TRON node that answers `/wallet/triggersmartcontract` with a
 * consistent (correct txID) transaction for another call: `contract` sends it to `token` as a
 * `transfer(thief, 1)`, `data` keeps the contract and swaps the calldata. Everything else passes through.
 * `lies` counts the rewritten answers.
 */
export async function startLyingTronNode(
  target: string,
  opts: { mode: LieMode; token: string; thief: string },
): Promise<RunningTron & { lies: () => number }> {
  let lies = 0;
  const { url, close } = await listenLocal(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${target}${req.url ?? ''}`, {
      method: req.method ?? 'POST',
      headers: { 'content-type': 'application/json' },
      ...(req.method === 'GET' ? {} : { body: Buffer.concat(chunks) }),
    });
    let text = await upstream.text();
    if ((req.url ?? '').toLowerCase().startsWith('/wallet/triggersmartcontract')) {
      const answer = JSON.parse(text) as { transaction?: { raw_data_hex: string } };
      if (answer.transaction) {
        const raw = decodeTriggerTransaction(answer.transaction.raw_data_hex);
        const theft: Hex = encodeFunctionData({
          abi: erc20Abi,
          functionName: 'transfer',
          args: [toEvmHex(opts.thief), 1n],
        });
        const call =
          opts.mode === 'contract'
            ? { ...raw.call, contract: opts.token, data: theft }
            : { ...raw.call, data: theft };
        answer.transaction = buildTriggerTransaction({ ...raw, call });
        lies++;
        text = JSON.stringify(answer);
      }
    }
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(text);
  });
  return { url, close, lies: () => lies };
}

/** A node client for the devnet (fast polls are the caller's business). */
export function devnetNode(devnet: TronDevnet): TronNodeClient {
  return createTronNodeClient({ url: devnet.fullHost });
}

// ---------------------------------------------------------------- exact_gasfree (GasFree) stack

/** Our exact_gasfree facilitator service and a paid Express API over a TRON devnet with GasFree. */
export type GasFreeTestStack = {
  facilitatorUrl: string;
  serverUrl: string;
  /** The facilitator scheme (for direct verify/settle calls). */
  scheme: ExactGasFreeFacilitator;
  /** The core facilitator engine behind the service. */
  engine: Facilitator;
  /** How many times the paid `/weather` handler ran. */
  handlerCalls(): number;
  close(): Promise<void>;
};

/**
 * An Express API protected by our middleware whose `GET /weather` costs `price` in exact_gasfree on
 * Nile, paid to `payTo` through the facilitator at `facilitatorUrl`; `handlerCalls` counts its runs.
 *
 * @example const api = await startOurGasFreeApi({ facilitatorUrl, payTo, price: '$0.01' })
 */
export async function startOurGasFreeApi(opts: {
  facilitatorUrl: string;
  payTo: string;
  price: string;
  description?: string;
}): Promise<RunningTron & { handlerCalls: () => number }> {
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: opts.facilitatorUrl }),
    schemes: [{ network: 'tron:*', server: createExactGasFreeServer() }],
  });
  await resourceServer.initialize();
  const accepts = { scheme: 'exact_gasfree', network: 'tron:nile', payTo: opts.payTo, price: opts.price };
  const app = express();
  app.use(
    paymentMiddleware(
      { 'GET /weather': { accepts, ...(opts.description ? { description: opts.description } : {}) } },
      resourceServer,
    ),
  );
  let calls = 0;
  app.get('/weather', (_req, res) => {
    calls++;
    res.json({ weather: 'sunny' });
  });
  const { url, close } = await listenLocal(app);
  return { url, close, handlerCalls: () => calls };
}

/**
 * Starts our exact_gasfree facilitator (GasFree API = the devnet's local service, node = the devnet's TRON
 * node) as an HTTP service, and an Express API whose `GET /weather` costs `price` in exact_gasfree.
 *
 * @example
 * const stack = await startGasFreeTestStack(devnet, { fee: 100_000n });
 */
export async function startGasFreeTestStack(
  devnet: TronDevnet,
  opts: {
    fee?: bigint;
    price?: string;
    payTo?: string;
    settleTimeoutMs?: number;
    pollMs?: number;
    /** The GasFree API the facilitator uses (a fault proxy); default the devnet's. */
    gasFreeBaseUrl?: string;
    submitLookupMs?: number;
    /** Engine hooks (the ledger's, for the grant rule: `createLedgerHooks`). */
    hooks?: FacilitatorHooks;
  } = {},
): Promise<GasFreeTestStack> {
  const gasFree = devnet.gasFree;
  if (!gasFree) throw new Error('startGasFreeTestStack: the devnet was started with gasFree: false');
  const scheme = createExactGasFreeFacilitator({
    networks: {
      'tron:nile': { api: { baseUrl: opts.gasFreeBaseUrl ?? gasFree.baseUrl }, fullHost: devnet.fullHost },
    },
    fees: { 'tron:nile': { [devnet.assets.USDT.address]: opts.fee ?? 100_000n } },
    settleTimeoutMs: opts.settleTimeoutMs ?? 20_000,
    pollMs: opts.pollMs ?? 50,
    ...(opts.submitLookupMs === undefined ? {} : { submitLookupMs: opts.submitLookupMs }),
  });
  await scheme.ready();
  const engine = createFacilitator({
    schemes: [{ networks: scheme.networks, facilitator: scheme, x402Versions: [2] }],
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
  });
  const facilitatorServer = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator: engine, feeQuote: scheme.quoteFee }),
    port: 0,
  });
  const api = await startOurGasFreeApi({
    facilitatorUrl: facilitatorServer.url,
    payTo: opts.payTo ?? devnet.accounts.payTo.address,
    price: opts.price ?? '$0.01',
    description: 'weather',
  });
  return {
    facilitatorUrl: facilitatorServer.url,
    serverUrl: api.url,
    scheme,
    engine,
    handlerCalls: api.handlerCalls,
    async close() {
      await api.close();
      await facilitatorServer.close();
      scheme.close();
    },
  };
}
