/**
 * The replay rig shared by the grant-rule test (test/e2e/replay.test.ts) and the replay counts
 * (bench/replay.ts): our facilitator instances with ledger hooks on a shared ledger, our Express
 * servers and the official `@x402/express` ones over the same routes (each paid handler reports
 * its runs), one payment header signed once, and its copies sent at once.
 */
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { ExactEvmScheme as OfficialExactServer } from '@x402/evm/exact/server';
import { UptoEvmScheme as OfficialUptoServer } from '@x402/evm/upto/server';
import { paymentMiddleware as officialMiddleware } from '@x402/express';
import {
  createFacilitator,
  createX402Client,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  HeaderNames,
} from '@x402kit/core';
import type { Devnet } from '@x402kit/devnet';
import {
  buildPermit2Approval,
  createExactEvmClient,
  createExactEvmFacilitator,
  createExactEvmServer,
  createUptoEvmClient,
  createUptoEvmFacilitator,
  createUptoEvmServer,
} from '@x402kit/evm';
import {
  createFacilitatorService,
  createLedgerHooks,
  type PaymentLedger,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import express from 'express';
import { createPublicClient, createWalletClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { identifyPayment } from './chains.js';
import { listenLocal, type Running } from './listen.js';
import { startOurPaidApi } from './ours.js';

/** Every replay route costs $0.001 of the 6-decimal devnet token. */
export const REPLAY_PRICE = 1000n;

/** A paid route of the rig; `upfront` routes settle before the handler (ours only). */
export type ReplayRoute = {
  path: string;
  label: string;
  scheme: 'exact' | 'upto';
  permit2?: boolean;
  upfront?: boolean;
};

/** One server of the rig, by name (handler runs are counted per name and path). */
export type ReplayEndpoint = { name: string; url: string };

/** One copy's answer: its status, body and what a refusal says. */
export type ReplayAnswer = { status: number; body: string; reason: string };

function price(devnet: Devnet, route: ReplayRoute) {
  return route.permit2
    ? {
        amount: REPLAY_PRICE.toString(),
        asset: devnet.token.address,
        extra: { assetTransferMethod: 'permit2' },
      }
    : '$0.001';
}

/**
 * One of our facilitator instances (own key, own HTTP server), `exact` and `upto`, with ledger
 * hooks on `ledger`.
 *
 * @example const a = await startLedgerFacilitator(devnet, ledger, 'fac-a', devnetAccount(3).privateKey)
 */
export async function startLedgerFacilitator(
  devnet: Devnet,
  ledger: PaymentLedger,
  instanceId: string,
  key: Hex,
): Promise<Running> {
  const common = {
    networks: { [devnet.network]: { rpcUrl: devnet.rpcUrl } },
    signers: [key],
    pollingIntervalMs: 20,
  };
  const schemes = [createExactEvmFacilitator(common), createUptoEvmFacilitator(common)];
  const facilitator = createFacilitator({
    schemes: schemes.map((s) => ({ networks: s.networks, facilitator: s })),
    hooks: createLedgerHooks({ ledger, identify: identifyPayment, instanceId }),
  });
  const server = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator }),
    port: 0,
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      for (const s of schemes) s.close();
    },
  };
}

/**
 * A server of the rig over `routes`: our Express middleware, or the official `@x402/express` (which
 * has no settle-before-handler option, so it leaves `upfront` routes out). `ran(path)` is called by
 * each paid handler.
 */
export async function startReplayServer(
  kind: 'ours' | 'official',
  devnet: Devnet,
  facilitatorUrl: string,
  routes: readonly ReplayRoute[],
  ran: (path: string) => void,
): Promise<Running> {
  const network = devnet.network as `${string}:${string}`;
  const payTo = devnet.accounts.payTo.address;
  const serve = (app: express.Express, served: readonly ReplayRoute[]) => {
    for (const r of served) {
      app.get(r.path, (_req, res) => {
        ran(r.path);
        res.json({ paid: r.path });
      });
    }
  };
  if (kind === 'ours') {
    return startOurPaidApi({
      facilitatorUrl,
      schemes: [
        { network: 'eip155:*', server: createExactEvmServer() },
        { network: 'eip155:*', server: createUptoEvmServer() },
      ],
      routes: Object.fromEntries(
        routes.map((r) => [
          `GET ${r.path}`,
          {
            accepts: { scheme: r.scheme, network, payTo, price: price(devnet, r) },
            ...(r.upfront ? { settle: 'before-handler' as const } : {}),
          },
        ]),
      ),
      serve: (app) => serve(app, routes),
    });
  }
  const official = routes.filter((r) => !r.upfront);
  const resourceServer = new x402ResourceServer(new HTTPFacilitatorClient({ url: facilitatorUrl }))
    .register(network, new OfficialExactServer())
    .register(network, new OfficialUptoServer());
  const app = express();
  app.use(
    officialMiddleware(
      Object.fromEntries(
        official.map((r) => [
          `GET ${r.path}`,
          { accepts: { scheme: r.scheme, network, payTo, price: price(devnet, r) } },
        ]),
      ),
      resourceServer,
    ),
  );
  serve(app, official);
  const { url, close } = await listenLocal(app);
  return { url, close };
}

/** The devnet payer approves Permit2 once, as any Permit2 payer does. */
export async function approvePermit2(devnet: Devnet): Promise<void> {
  const account = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
  const wallet = createWalletClient({ account, chain: devnet.chain, transport: http(devnet.rpcUrl) });
  const hash = await wallet.sendTransaction(buildPermit2Approval({ token: devnet.token.address }));
  await createPublicClient({ chain: devnet.chain, transport: http(devnet.rpcUrl) }).waitForTransactionReceipt(
    {
      hash,
      pollingInterval: 20,
    },
  );
}

/** Ask `url` for its 402 and sign one payment of the devnet payer for it: the header every copy carries. */
export async function signPaymentHeader(devnet: Devnet, url: string): Promise<string> {
  const unpaid = await fetch(url);
  if (unpaid.status !== 402) throw new Error(`${url} answered ${unpaid.status} unpaid, expected 402`);
  const signer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
  const client = createX402Client({
    schemes: [
      { network: 'eip155:*', client: createExactEvmClient({ signer }) },
      { network: 'eip155:*', client: createUptoEvmClient({ signer }) },
    ],
  });
  const required = decodePaymentRequiredHeader(unpaid.headers.get(HeaderNames.paymentRequired) ?? '');
  return encodePaymentSignatureHeader(await client.createPaymentPayload(required));
}

/** Send `header` `copies` times at once to `path`, spread round-robin over `targets`. */
export function sendCopies(
  targets: readonly ReplayEndpoint[],
  path: string,
  header: string,
  copies: number,
): Promise<ReplayAnswer[]> {
  return Promise.all(
    Array.from({ length: copies }, async (_, i) => {
      const target = targets[i % targets.length];
      const res = await fetch(`${target?.url}${path}`, { headers: { 'PAYMENT-SIGNATURE': header } });
      const body = await res.text();
      return { status: res.status, body, reason: refusalReason(res, body) };
    }),
  );
}

/** What a refused answer says: its PAYMENT-RESPONSE reason, its 402's error, or its body. */
export function refusalReason(res: Response, body: string): string {
  try {
    const response = res.headers.get(HeaderNames.paymentResponse);
    if (response) return decodePaymentResponseHeader(response).errorReason ?? '';
    const required = res.headers.get(HeaderNames.paymentRequired);
    if (required) return decodePaymentRequiredHeader(required).error ?? '';
  } catch {
    // an undecodable header: the body says more
  }
  return body.replace(/\s+/g, ' ').slice(0, 80);
}
