/**
 * Bench of the `exact_permit` path (BofAI's PaymentPermit scheme) on a BSC-testnet devnet (chain
 * 97, USDT at its BSC-testnet address): our facilitator service (flat fee) and our Express server,
 * paid sequentially by our client and by `@bankofai/x402`'s `ExactPermitEvmClientMechanism`.
 * Reports paid requests per second and p50/p99 latency for each client, in `bench/run.ts`'s row
 * shape (ratio above 1 means our client is ahead).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EvmSigner } from '@bankofai/agent-wallet';
import {
  EVM_RPC_URLS,
  EvmClientSigner,
  ExactPermitEvmClientMechanism,
  X402Client,
  X402FetchClient,
} from '@bankofai/x402';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  createX402Client,
  decodePaymentRequiredHeader,
} from '@x402kit/core';
import { type DevnetAccount, startDevnets } from '@x402kit/devnet';
import {
  createExactPermitEvmClient,
  createExactPermitEvmServer,
  prepareExactPermitApproval,
} from '@x402kit/evm';
import { createEvmFacilitator, createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import { wrapFetchWithPayment } from '@x402kit/http';
import { paymentMiddleware } from '@x402kit/http/express';
import express from 'express';
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  getAddress,
  type Hex,
  hexToBytes,
  http,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { percentile } from './load.js';

/** One row of the bench table (same shape as `bench/run.ts`'s). */
export type ExactPermitBenchRow = {
  metric: string;
  ours: string;
  theirs: string;
  ratio: string;
  target: string;
};

export type ExactPermitBenchOptions = {
  /** Progress lines; default stderr. */
  log?: (line: string) => void;
  /** Paid requests per client (after a warm-up of a tenth of it); default 100. */
  count?: number;
};

/** Figures of one client: paid requests per second (sequential) and latency percentiles in ms. */
export type PaidFigures = { rps: number; p50: number; p99: number; seconds: number };

const USDT = getAddress('0x337610d27c682E347C9cD60BD4b3b107C9d34dDd');
const FEE_TO = getAddress('0x000000000000000000000000000000000000fee3');

/**
 * Run the `exact_permit` bench on its own devnet and return its rows (ours = our client, theirs =
 * BofAI's client; both pay our server + facilitator).
 *
 * @example
 * rows.push(...(await runExactPermitBench({ log })))
 */
export async function runExactPermitBench(
  options: ExactPermitBenchOptions = {},
): Promise<ExactPermitBenchRow[]> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const count = options.count ?? 100;
  log('exact_permit (BSC devnet chain 97): paid requests, our client vs @bankofai/x402 client');
  const devnet = await startDevnets({ chains: [{ chainId: 97 }], extraPayers: 1 });
  const stops: Array<() => Promise<void> | void> = [() => devnet.stop()];
  const previousRpc = EVM_RPC_URLS['eip155:97'];
  try {
    const rpcUrl = devnet.getChain(97).rpcUrl;
    // BofAI's signer reads allowances and sends its approve through its built-in RPC map
    EVM_RPC_URLS['eip155:97'] = rpcUrl;
    const engine = createEvmFacilitator({
      rpc: { 'eip155:97': rpcUrl },
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
      fees: { 'eip155:97': { [USDT]: { feeTo: FEE_TO, amount: '100' } } },
    });
    stops.push(() => engine.close());
    const facilitator = await startFacilitatorServer({
      service: createFacilitatorService({
        facilitator: engine,
        ...(engine.quoteFee ? { feeQuote: engine.quoteFee } : {}),
      }),
      port: 0,
    });
    stops.push(() => facilitator.close());
    const url = await startServer(facilitator.url, devnet.accounts.payTo.address, stops);

    const ourPayer = devnet.accounts.payer;
    await approvePaymentPermit(ourPayer, rpcUrl, devnet.getChain(97).chain, url);
    const ourPay = wrapFetchWithPayment(
      fetch,
      createX402Client({
        schemes: [
          {
            network: 'eip155:*',
            client: createExactPermitEvmClient({ signer: privateKeyToAccount(ourPayer.privateKey as Hex) }),
          },
        ],
      }),
    );
    const theirPayer = devnet.extraPayers[0];
    if (!theirPayer) throw new Error('the devnet has no extra payer');
    const signer = new EvmClientSigner(new EvmSigner(hexToBytes(theirPayer.privateKey as Hex)));
    signer.setAddress(theirPayer.address);
    const theirClient = new X402FetchClient(
      new X402Client().register('eip155:*', new ExactPermitEvmClientMechanism(signer)),
    );
    const theirPay = (target: string) => theirClient.get(target);

    const warm = Math.max(1, Math.round(count / 10));
    await measure(ourPay, `${url}/weather`, warm);
    await measure(theirPay, `${url}/weather`, warm); // its first payment also sends its approve
    // alternate rounds, so machine noise falls on both clients alike
    const ourRounds: PaidFigures[] = [];
    const theirRounds: PaidFigures[] = [];
    const rounds = 4;
    for (let i = 0; i < rounds; i++) {
      ourRounds.push(await measure(ourPay, `${url}/weather`, Math.ceil(count / rounds)));
      theirRounds.push(await measure(theirPay, `${url}/weather`, Math.ceil(count / rounds)));
    }
    const ours = combine(ourRounds);
    const theirs = combine(theirRounds);
    const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
    const row = (metric: string, a: number, b: number, higherIsBetter: boolean): ExactPermitBenchRow => {
      const ratio = higherIsBetter ? a / b : b / a;
      log(`  ${metric}: ours ${fmt(a)}, theirs ${fmt(b)} (${fmt(ratio, 2)}x)`);
      return { metric, ours: fmt(a), theirs: fmt(b), ratio: `${fmt(ratio, 2)}x`, target: '' };
    };
    return [
      row(
        `exact_permit paid requests, sequential (req/s; theirs = BofAI client)`,
        ours.rps,
        theirs.rps,
        true,
      ),
      row('exact_permit paid request p50 (ms; theirs = BofAI client)', ours.p50, theirs.p50, false),
      row('exact_permit paid request p99 (ms; theirs = BofAI client)', ours.p99, theirs.p99, false),
    ];
  } finally {
    if (previousRpc === undefined) delete EVM_RPC_URLS['eip155:97'];
    else EVM_RPC_URLS['eip155:97'] = previousRpc;
    for (const stop of stops.reverse()) await stop();
  }
}

/** `count` paid requests one after the other; every one must answer 200. */
async function measure(
  pay: (url: string) => Promise<Response>,
  url: string,
  count: number,
): Promise<PaidFigures> {
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = performance.now();
    const res = await pay(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`exact_permit paid request answered ${res.status}`);
    latencies.push(performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  return figures(latencies, seconds);
}

function figures(latencies: number[], seconds: number): PaidFigures & { latencies: number[] } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    rps: sorted.length / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    seconds,
    latencies: sorted,
  };
}

function combine(rounds: PaidFigures[]): PaidFigures {
  const latencies = rounds.flatMap((r) =>
    'latencies' in r && Array.isArray(r.latencies) ? r.latencies : [],
  );
  return figures(
    latencies,
    rounds.reduce((sum, r) => sum + r.seconds, 0),
  );
}

async function startServer(facilitatorUrl: string, payTo: string, stops: Array<() => Promise<void> | void>) {
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
    schemes: [{ network: 'eip155:*', server: createExactPermitEvmServer() }],
  });
  await resourceServer.initialize();
  const app = express();
  app.use(
    paymentMiddleware(
      {
        'GET /weather': {
          accepts: { scheme: 'exact_permit', network: 'eip155:97', payTo, price: '$0.01' },
          description: 'weather',
        },
      },
      resourceServer,
    ),
  );
  app.get('/weather', (_req, res) => void res.json({ weather: 'sunny' }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  stops.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Our payer approves PaymentPermit once (room for many payments), as the e2e test does. */
async function approvePaymentPermit(
  payer: DevnetAccount,
  rpcUrl: string,
  chain: Chain,
  serverUrl: string,
): Promise<void> {
  const res = await fetch(`${serverUrl}/weather`);
  const header = res.headers.get('payment-required');
  if (res.status !== 402 || !header) throw new Error(`expected a 402 offer, got ${res.status}`);
  const required = decodePaymentRequiredHeader(header);
  const offer = required.x402Version === 2 ? required.accepts[0] : undefined;
  if (!offer) throw new Error('no exact_permit offer');
  const account = privateKeyToAccount(payer.privateKey as Hex);
  const client = createPublicClient({ chain, transport: http(rpcUrl) });
  const tx = await prepareExactPermitApproval({
    client,
    owner: account.address,
    requirements: offer,
    amount: 10n ** 24n,
  });
  if (!tx) return;
  const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
  await client.waitForTransactionReceipt({
    hash: await wallet.sendTransaction({ to: tx.to, data: tx.data }),
    pollingInterval: 20,
  });
}
