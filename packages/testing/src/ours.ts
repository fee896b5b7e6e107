/**
 * Our own stack on 127.0.0.1 for end-to-end tests, interop tests, the bench and the demo's
 * shape: facilitator service, a paid Express API, and a paying fetch.
 */
import {
  createFacilitator,
  createHttpFacilitatorClient,
  createResourceServer,
  createX402Client,
  type Facilitator,
  type PaymentPolicy,
} from '@x402kit/core';
import type { Devnet } from '@x402kit/devnet';
import {
  createExactEvmClient,
  createExactEvmFacilitator,
  createExactEvmServer,
  createUptoEvmFacilitator,
  EIP2612_GAS_SPONSORING,
  ERC20_APPROVAL_GAS_SPONSORING,
} from '@x402kit/evm';
import { createEvmFacilitator } from '@x402kit/evm/chain-module';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import { wrapFetchWithPayment } from '@x402kit/http';
import { type ExpressPaymentOptions, paymentMiddleware } from '@x402kit/http/express';
import express from 'express';
import { createPublicClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { hookDevnet } from './hook-devnet.js';
import { listenLocal, type Running } from './listen.js';
import type { SponsoredRoute } from './official.js';

/** Our facilitator service over HTTP. */
export async function startOurFacilitator(opts: {
  rpcUrl: string;
  network: string;
  privateKeys: Hex[];
}): Promise<Running> {
  const facilitator = createEvmFacilitator({
    rpc: { [opts.network]: opts.rpcUrl },
    privateKeys: opts.privateKeys,
  });
  const server = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator }),
    port: 0,
  });
  return { url: server.url, close: () => server.close() };
}

export type OurServerOptions = {
  facilitatorUrl: string;
  payTo: string;
  network: string;
  price?: string;
};

/** An Express app protected by our middleware, with a few routes tests use. */
export async function startOurServer(
  opts: OurServerOptions,
): Promise<Running & { handlerCalls: () => number }> {
  const accepts = {
    scheme: 'exact',
    network: opts.network,
    payTo: opts.payTo,
    price: opts.price ?? '$0.001',
  };
  let calls = 0;
  const api = await startOurPaidApi({
    facilitatorUrl: opts.facilitatorUrl,
    routes: {
      'GET /weather': { accepts, description: 'weather' },
      'POST /echo': { accepts: { ...accepts, price: '$0.002' }, description: 'echo' },
      'GET /broken': { accepts, description: 'a handler that fails' },
    },
    serve(app) {
      app.use(express.json());
      app.get('/weather', (_req, res) => {
        calls++;
        res.json({ report: { weather: 'sunny', temperature: 70 } });
      });
      app.post('/echo', (req, res) => {
        calls++;
        res.json({ echo: req.body });
      });
      app.get('/broken', (_req, res) => {
        calls++;
        res.status(500).json({ error: 'boom' });
      });
      app.get('/free', (_req, res) => {
        res.json({ free: true });
      });
    },
  });
  return { ...api, handlerCalls: () => calls };
}

/**
 * An Express app whose `routes` are paid through our middleware and the facilitator at
 * `facilitatorUrl` (`schemes` default to `exact` on EVM); `serve` adds the handlers behind the
 * middleware.
 *
 * @example
 * const api = await startOurPaidApi({
 *   facilitatorUrl,
 *   routes: { 'GET /report': { accepts: { scheme: 'exact', network, payTo, price: '$0.001' } } },
 *   serve: (app) => app.get('/report', (_req, res) => void res.json({ report: 'quarterly' })),
 * })
 */
export async function startOurPaidApi(opts: {
  facilitatorUrl: string;
  routes: Parameters<typeof paymentMiddleware>[0];
  schemes?: Parameters<typeof createResourceServer>[0]['schemes'];
  options?: ExpressPaymentOptions;
  serve(app: express.Express): void;
}): Promise<Running> {
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: opts.facilitatorUrl }),
    schemes: opts.schemes ?? [{ network: 'eip155:*', server: createExactEvmServer() }],
  });
  await resourceServer.initialize();
  const app = express();
  app.use(paymentMiddleware(opts.routes, resourceServer, opts.options));
  opts.serve(app);
  const { url, close } = await listenLocal(app);
  return { url, close };
}

/** Our paying fetch for a private key. */
export function ourFetch(privateKey: Hex, policies: PaymentPolicy[] = []): typeof fetch {
  const client = createX402Client({
    schemes: [
      { network: 'eip155:*', client: createExactEvmClient({ signer: privateKeyToAccount(privateKey) }) },
    ],
    policies,
  });
  return wrapFetchWithPayment(fetch, client);
}

/** One of our core facilitator engines and how to stop its schemes. */
export type OurEvmEngine = { facilitator: Facilitator; close(): void };

/**
 * Our core facilitator engine with `exact` on EVM (Permit2 path included), plus `upto` with
 * `upto: true`, and both gas-sponsoring extensions advertised in `/supported` with `sponsoring: true`.
 *
 * @example
 * const engine = createOurEvmEngine({ rpcUrl, network, privateKeys: [key], upto: true })
 * await engine.facilitator.verify(payload, requirements)
 */
export function createOurEvmEngine(opts: {
  rpcUrl: string;
  network: string;
  privateKeys: Hex[];
  upto?: boolean;
  sponsoring?: boolean;
}): OurEvmEngine {
  const common = {
    networks: { [opts.network]: { rpcUrl: opts.rpcUrl } },
    signers: opts.privateKeys,
    pollingIntervalMs: 20,
  };
  const schemes = [
    createExactEvmFacilitator(common),
    ...(opts.upto ? [createUptoEvmFacilitator(common)] : []),
  ];
  const facilitator = createFacilitator({
    schemes: schemes.map((scheme) => ({ networks: scheme.networks, facilitator: scheme })),
    ...(opts.sponsoring ? { extensions: [EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING] } : {}),
  });
  return {
    facilitator,
    close: () => {
      for (const scheme of schemes) scheme.close();
    },
  };
}

/**
 * Our facilitator service over `engine`; closing it stops the engine's schemes too.
 *
 * @example const service = await serveOurEngine(createOurEvmEngine({ rpcUrl, network, privateKeys }))
 */
export async function serveOurEngine(engine: OurEvmEngine): Promise<Running> {
  const server = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator: engine.facilitator }),
    port: 0,
  });
  return {
    url: server.url,
    close: async () => {
      engine.close();
      await server.close();
    },
  };
}

/**
 * Our facilitator service with `exact` (Permit2 path included) and both gas-sponsoring extensions
 * advertised in `/supported`.
 */
export function startOurSponsoringFacilitator(opts: {
  rpcUrl: string;
  network: string;
  privateKeys: Hex[];
}): Promise<Running> {
  return serveOurEngine(createOurEvmEngine({ ...opts, sponsoring: true }));
}

/** Our middleware over Permit2 routes that declare gas-sponsoring extensions. */
export async function startOurSponsoringServer(opts: {
  facilitatorUrl: string;
  payTo: string;
  network: string;
  routes: readonly SponsoredRoute[];
}): Promise<Running> {
  const routes = Object.fromEntries(
    opts.routes.map((r) => [
      `GET ${r.path}`,
      {
        accepts: {
          scheme: 'exact',
          network: opts.network,
          payTo: opts.payTo,
          price: { amount: r.amount, asset: r.asset, extra: r.extra },
        },
        extensions: r.extensions,
      },
    ]),
  );
  return startOurPaidApi({
    facilitatorUrl: opts.facilitatorUrl,
    routes,
    serve(app) {
      for (const r of opts.routes) app.get(r.path, (_req, res) => void res.json({ paid: r.path }));
    },
  });
}

/**
 * Our paying fetch with the gas-sponsoring extensions enabled (reads through `rpcUrl`, the
 * approval transaction signed by the same key).
 */
export function ourSponsoringFetch(privateKey: Hex, rpcUrl: string): typeof fetch {
  const account = privateKeyToAccount(privateKey);
  const permit2 = {
    client: createPublicClient({ transport: http(rpcUrl) }),
    signTransaction: account.signTransaction,
  };
  const client = createX402Client({
    schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer: account, permit2 }) }],
  });
  return wrapFetchWithPayment(fetch, client);
}

/** A devnet and our facilitator on it, as {@link hookDevnetWithOurFacilitator} hands them over. */
export type DevnetWithOurFacilitator = { devnet: Devnet; facilitator: Running };

/**
 * A devnet (`port: 0`) and our facilitator service on it for one test file or suite: started in a
 * `before` hook (then handed to `onStart`), stopped in an `after` hook, facilitator first.
 *
 * @example
 * let devnet: Devnet;
 * let facilitator: Running;
 * hookDevnetWithOurFacilitator((started) => ({ devnet, facilitator } = started));
 */
export function hookDevnetWithOurFacilitator(onStart: (started: DevnetWithOurFacilitator) => void): void {
  let facilitator: Running | undefined;
  hookDevnet(
    { port: 0 },
    async (devnet) => {
      facilitator = await startOurFacilitator({
        rpcUrl: devnet.rpcUrl,
        network: devnet.network,
        privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
      });
      onStart({ devnet, facilitator });
    },
    () => facilitator?.close(),
  );
}
