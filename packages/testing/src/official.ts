/**
 * The official x402 TypeScript stack (`@x402/*` 2.27), wired the way its own e2e harness wires
 * it, for interop tests and the bench. Only the packages' public APIs are used.
 */
import { x402Client } from '@x402/core/client';
import { x402Facilitator } from '@x402/core/facilitator';
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { registerExactEvmScheme as registerClient } from '@x402/evm/exact/client';
import { registerExactEvmScheme as registerFacilitator } from '@x402/evm/exact/facilitator';
import { ExactEvmScheme as ExactEvmServer } from '@x402/evm/exact/server';
import { paymentMiddleware } from '@x402/express';
import {
  createErc20ApprovalGasSponsoringExtension,
  EIP2612_GAS_SPONSORING,
  type TransactionRequest,
} from '@x402/extensions';
import { wrapFetchWithPayment } from '@x402/fetch';
import express from 'express';
import {
  type Chain,
  type Client,
  createWalletClient,
  type Hex,
  type HttpTransport,
  http,
  type PublicActions,
  parseTransaction,
  publicActions,
  recoverTransactionAddress,
  type TransactionSerialized,
  type WalletActions,
} from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { listenLocal, type Running } from './listen.js';

export type { Running } from './listen.js';

async function listen(app: express.Express): Promise<Running> {
  const { server, url, close } = await listenLocal(app);
  server.keepAliveTimeout = 65_000;
  return { url, close };
}

/** A viem wallet client of one local key, with the public actions. */
export type OfficialWallet<C extends Chain | undefined> = Client<
  HttpTransport,
  C,
  PrivateKeyAccount,
  undefined,
  WalletActions<C, PrivateKeyAccount> & PublicActions<HttpTransport, C, PrivateKeyAccount>
>;

/** The official SDK's facilitator signer (`toFacilitatorEvmSigner`). */
export type OfficialFacilitatorSigner = ReturnType<typeof toFacilitatorEvmSigner>;

/**
 * The official facilitator signer over a viem wallet of `privateKey` (with the wallet, for extra
 * calls); `pollingIntervalMs` speeds up its receipt waits.
 *
 * @example
 * const { signer } = officialFacilitatorSigner({ rpcUrl, privateKey, chain, pollingIntervalMs: 50 })
 */
export function officialFacilitatorSigner<C extends Chain | undefined = undefined>(opts: {
  rpcUrl: string;
  privateKey: Hex;
  chain?: C;
  pollingIntervalMs?: number;
}): { signer: OfficialFacilitatorSigner; wallet: OfficialWallet<C> } {
  const account = privateKeyToAccount(opts.privateKey);
  const wallet = createWalletClient({ account, chain: opts.chain, transport: http(opts.rpcUrl) }).extend(
    publicActions,
  );
  const polling = opts.pollingIntervalMs === undefined ? {} : { pollingInterval: opts.pollingIntervalMs };
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    readContract: (args) => wallet.readContract(args as never),
    verifyTypedData: (args) => wallet.verifyTypedData(args as never),
    writeContract: (args) => wallet.writeContract(args as never),
    sendTransaction: (args) => wallet.sendTransaction(args as never),
    waitForTransactionReceipt: (args) =>
      wallet.waitForTransactionReceipt({ ...(args as object), ...polling } as never),
    getCode: (args) => wallet.getCode(args as never),
  });
  return { signer, wallet };
}

/**
 * An official facilitator engine behind `/verify`, `/settle` and `/supported` on Express, as the
 * reference e2e facilitator serves it (a thrown error answers 500 with its text).
 *
 * @example const running = await serveOfficialFacilitator(facilitator)
 */
export function serveOfficialFacilitator(facilitator: x402Facilitator): Promise<Running> {
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

/** The official facilitator engine served over Express, as in the reference e2e facilitator. */
export async function startOfficialFacilitator(opts: {
  rpcUrl: string;
  privateKey: Hex;
  network: string;
}): Promise<Running> {
  const { signer } = officialFacilitatorSigner(opts);
  const facilitator = new x402Facilitator();
  registerFacilitator(facilitator, { signer, networks: opts.network as `${string}:${string}` });
  return serveOfficialFacilitator(facilitator);
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

/** A route of {@link startOfficialSponsoringServer}: a Permit2 price in a token and the extensions it declares. */
export type SponsoredRoute = {
  path: string;
  amount: string;
  asset: string;
  /** `{ assetTransferMethod: 'permit2' }` plus, for EIP-2612 tokens, the permit domain `name`/`version`. */
  extra: Record<string, unknown>;
  extensions: Record<string, unknown>;
};

/**
 * The official facilitator engine with both gas-sponsoring extensions registered: `eip2612GasSponsoring`
 * (the scheme itself runs `settleWithPermit`) and `erc20ApprovalGasSponsoring` with an extension signer
 * whose `sendTransactions` tops up the payer's native gas when short, broadcasts the payer's signed
 * approval, then sends the settle call (sequentially, as the reference e2e signer does).
 */
export async function startOfficialSponsoringFacilitator(opts: {
  rpcUrl: string;
  privateKey: Hex;
  network: string;
  chain: Chain;
}): Promise<Running> {
  const { signer, wallet } = officialFacilitatorSigner({ ...opts, pollingIntervalMs: 50 });
  const mined = async (hash: Hex) => {
    const receipt = await wallet.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== 'success') throw new Error(`erc20_approval_tx_failed: ${hash} reverted`);
    return hash;
  };
  const sendTransactions = async (transactions: TransactionRequest[]): Promise<Hex[]> => {
    const hashes: Hex[] = [];
    for (const tx of transactions) {
      if (typeof tx === 'string') {
        const parsed = parseTransaction(tx);
        const payer = await recoverTransactionAddress({ serializedTransaction: tx as TransactionSerialized });
        const needed = (parsed.gas ?? 0n) * (parsed.maxFeePerGas ?? parsed.gasPrice ?? 0n);
        const balance = await wallet.getBalance({ address: payer });
        if (balance < needed)
          await mined(await wallet.sendTransaction({ to: payer, value: needed - balance }));
        hashes.push(await mined(await wallet.sendRawTransaction({ serializedTransaction: tx })));
      } else {
        hashes.push(
          await wallet.sendTransaction({ to: tx.to, data: tx.data, ...(tx.gas ? { gas: tx.gas } : {}) }),
        );
      }
    }
    return hashes;
  };
  const facilitator = new x402Facilitator();
  registerFacilitator(facilitator, { signer, networks: opts.network as `${string}:${string}` });
  facilitator.registerExtension(EIP2612_GAS_SPONSORING);
  facilitator.registerExtension(createErc20ApprovalGasSponsoringExtension({ ...signer, sendTransactions }));
  return serveOfficialFacilitator(facilitator);
}

/** The official `@x402/express` middleware over Permit2 routes that declare gas-sponsoring extensions. */
export async function startOfficialSponsoringServer(opts: {
  facilitatorUrl: string;
  payTo: string;
  network: string;
  routes: readonly SponsoredRoute[];
}): Promise<Running> {
  const network = opts.network as `${string}:${string}`;
  const resourceServer = new x402ResourceServer(
    new HTTPFacilitatorClient({ url: opts.facilitatorUrl }),
  ).register(network, new ExactEvmServer());
  const routes = Object.fromEntries(
    opts.routes.map((r) => [
      `GET ${r.path}`,
      {
        accepts: {
          scheme: 'exact',
          network,
          payTo: opts.payTo,
          price: { amount: r.amount, asset: r.asset, extra: r.extra },
        },
        extensions: r.extensions,
      },
    ]),
  );
  const app = express();
  app.use(paymentMiddleware(routes, resourceServer));
  for (const r of opts.routes) app.get(r.path, (_req, res) => void res.json({ paid: r.path }));
  return listen(app);
}

/**
 * The official paying fetch with the gas-sponsoring extensions enabled: `@x402/evm`'s exact client
 * signs an EIP-2612 permit or an `approve(Permit2, max)` transaction when the payer's Permit2
 * allowance is short (reads backfilled from `rpcUrl`).
 */
export function officialSponsoringFetch(privateKey: Hex, rpcUrl: string): typeof fetch {
  const client = new x402Client();
  registerClient(client, { signer: privateKeyToAccount(privateKey), schemeOptions: { rpcUrl } });
  // the devnet's EIP-2612 and plain tokens are no default assets of @x402/evm
  client.setSpendControls(false);
  return wrapFetchWithPayment(fetch, client);
}
