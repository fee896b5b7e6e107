/**
 * The official x402 TypeScript stack (`@x402/*` 2.27), wired the way its own e2e harness wires
 * it, for interop tests and the bench. Only the packages' public APIs are used.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { x402Client } from '@x402/core/client';
import { x402Facilitator } from '@x402/core/facilitator';
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { registerExactEvmScheme as registerClient } from '@x402/evm/exact/client';
import { registerExactEvmScheme as registerFacilitator } from '@x402/evm/exact/facilitator';
import { ExactEvmScheme as ExactEvmServer } from '@x402/evm/exact/server';
import { paymentMiddleware } from '@x402/express';
import { wrapFetchWithPayment } from '@x402/fetch';
import express from 'express';
import { createWalletClient, type Hex, http, publicActions } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

export type Running = { url: string; close(): Promise<void> };

async function listen(app: express.Express): Promise<Running> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The official facilitator engine served over Express, as in the reference e2e facilitator. */
export async function startOfficialFacilitator(opts: {
  rpcUrl: string;
  privateKey: Hex;
  network: string;
}): Promise<Running> {
  const account = privateKeyToAccount(opts.privateKey);
  const wallet = createWalletClient({ account, transport: http(opts.rpcUrl) }).extend(publicActions);
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    readContract: (args) => wallet.readContract(args as never),
    verifyTypedData: (args) => wallet.verifyTypedData(args as never),
    writeContract: (args) => wallet.writeContract(args as never),
    sendTransaction: (args) => wallet.sendTransaction(args as never),
    waitForTransactionReceipt: (args) => wallet.waitForTransactionReceipt(args as never),
    getCode: (args) => wallet.getCode(args as never),
  });
  const facilitator = new x402Facilitator();
  registerFacilitator(facilitator, { signer, networks: opts.network as `${string}:${string}` });
  const app = express();
  app.use(express.json());
  app.post('/verify', async (req, res) => {
    try {
      res.json(await facilitator.verify(req.body.paymentPayload, req.body.paymentRequirements));
    } catch (e) {
      res.status(500).json({ error: String(e) });
    }
  });
  app.post('/settle', async (req, res) => {
    try {
      res.json(await facilitator.settle(req.body.paymentPayload, req.body.paymentRequirements));
    } catch (e) {
      res.status(500).json({ error: String(e) });
    }
  });
  app.get('/supported', (_req, res) => {
    res.json(facilitator.getSupported());
  });
  return listen(app);
}

/** An Express app protected by the official `@x402/express` middleware. */
export async function startOfficialServer(opts: {
  facilitatorUrl: string;
  payTo: string;
  network: string;
  price?: string;
  path?: string;
}): Promise<Running> {
  const network = opts.network as `${string}:${string}`;
  const path = opts.path ?? '/weather';
  const resourceServer = new x402ResourceServer(
    new HTTPFacilitatorClient({ url: opts.facilitatorUrl }),
  ).register(network, new ExactEvmServer());
  const app = express();
  app.use(
    paymentMiddleware(
      {
        [`GET ${path}`]: {
          accepts: { scheme: 'exact', network, payTo: opts.payTo, price: opts.price ?? '$0.001' },
          description: 'weather',
        },
      },
      resourceServer,
    ),
  );
  app.get(path, (_req, res) => {
    res.json({ report: { weather: 'sunny', temperature: 70 } });
  });
  return listen(app);
}

/** The official paying fetch for a private key. */
export function officialFetch(privateKey: Hex): typeof fetch {
  const client = new x402Client();
  registerClient(client, { signer: privateKeyToAccount(privateKey) });
  return wrapFetchWithPayment(fetch, client);
}
