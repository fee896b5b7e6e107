/**
 * The resource servers of the `batch-settlement` interop tests, on 127.0.0.1: the OFFICIAL one
 * (`@x402/express` + `@x402/evm/batch-settlement/server`) and OURS (`createResourceServer` with a
 * `createBatchSettlementEvmServer` scheme behind our Express or Hono middleware), each over a facilitator
 * URL and serving paid `GET` routes at one price to the devnet's `payTo`; the devnet offer they make,
 * the devnet with our facilitator scheme on it for one test file, its channels and a payer's deposit.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { BatchSettlementEvmScheme as OfficialBatchServer } from '@x402/evm/batch-settlement/server';
import { paymentMiddleware as officialPayments } from '@x402/express';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  decodePaymentResponseHeader,
  type PaymentPayload,
  type PaymentRequirements,
  type SchemeServer,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, type StartDevnetOptions, startDevnet } from '@x402kit/devnet';
import {
  BATCH_SETTLEMENT_ADDRESS,
  type BatchSettlementEvmFacilitator,
  type ChannelConfig,
  type ClaimRun,
  type ClaimSchedulerOptions,
  createBatchSettlementEvmClient,
  createBatchSettlementEvmFacilitator,
  startClaimScheduler,
} from '@x402kit/evm/batch-settlement';
import type { RoutesConfig } from '@x402kit/http';
import { paymentMiddleware as expressPayments } from '@x402kit/http/express';
import { paymentMiddleware as honoPayments } from '@x402kit/http/hono';
import express from 'express';
import { Hono } from 'hono';
import { createPublicClient, type Hex, http, type LocalAccount, toHex } from 'viem';
import { listenLocal, type Running } from './listen.js';

/** What a paid route answers: a JSON body, with a status (default 200). */
export type BatchRouteAnswer = { status?: number; body: unknown };

/** The devnet a batch-settlement server sells on (its network; it is paid to `accounts.payTo`). */
export type BatchServerDevnet = Pick<Devnet, 'network' | 'accounts'>;

/** The weather every default route answers. */
export const SUNNY: BatchRouteAnswer = { body: { report: { weather: 'sunny' } } };

/** The official server running, with its scheme and facilitator client. */
export type OfficialBatchServerRunning = Running & {
  scheme: OfficialBatchServer;
  facilitatorClient: HTTPFacilitatorClient;
};

/**
 * The official batch-settlement server (Express) selling `GET /weather`, with its scheme and
 * facilitator client (for its channel manager's claims and refunds); `extra` is merged into its offer
 * (`{ assetTransferMethod: 'permit2' }` for Permit2 deposits).
 *
 * @example
 * const official = await serveOfficialBatchServer(devnet, facilitator.url)
 * await pay(`${official.url}/weather`)
 */
export async function serveOfficialBatchServer(
  devnet: BatchServerDevnet,
  facilitatorUrl: string,
  price = '$0.001',
  extra?: Record<string, unknown>,
): Promise<OfficialBatchServerRunning> {
  const network = devnet.network as `${string}:${string}`;
  const payTo = devnet.accounts.payTo.address;
  const facilitatorClient = new HTTPFacilitatorClient({ url: facilitatorUrl });
  const scheme = new OfficialBatchServer(payTo as Hex);
  const resourceServer = new x402ResourceServer(facilitatorClient).register(network, scheme);
  const accepts = { scheme: 'batch-settlement', network, payTo, price, ...(extra ? { extra } : {}) };
  const app = express();
  app.use(officialPayments({ 'GET /weather': { accepts, description: 'weather' } }, resourceServer));
  app.get('/weather', (_req, res) => {
    res.json(SUNNY.body);
  });
  const { url, close } = await listenLocal(app);
  return { url, close, scheme, facilitatorClient };
}

/** Options of {@link serveOurBatchServer}. */
export type OurBatchServerOptions = {
  devnet: BatchServerDevnet;
  facilitatorUrl: string;
  /** Default `$0.001`. */
  price?: string;
  /** The scheme (`createBatchSettlementEvmServer(...)`). */
  scheme: SchemeServer;
  /** Our middleware to serve it with; default Express. */
  framework?: 'express' | 'hono';
  /** The paid `GET` routes by path and what each answers per call; default `/weather` sunny. */
  routes?: Record<string, () => BatchRouteAnswer>;
  /** Merged into every route's offer (`{ assetTransferMethod: 'permit2' }` for Permit2 deposits). */
  extra?: Record<string, unknown>;
};

/**
 * Our resource server with `scheme` behind our Express or Hono middleware.
 *
 * @example
 * const ours = await serveOurBatchServer({ scheme, devnet, facilitatorUrl: facilitator.url, framework: 'hono' })
 */
export async function serveOurBatchServer(options: OurBatchServerOptions): Promise<Running> {
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: options.facilitatorUrl }),
    schemes: [{ network: 'eip155:*', server: options.scheme }],
  });
  await resourceServer.initialize();
  const accepts = {
    scheme: 'batch-settlement',
    network: options.devnet.network,
    payTo: options.devnet.accounts.payTo.address,
    price: options.price ?? '$0.001',
    ...(options.extra ? { extra: options.extra } : {}),
  };
  const handlers = options.routes ?? { '/weather': () => SUNNY };
  const routes: RoutesConfig = Object.fromEntries(
    Object.keys(handlers).map((path) => [`GET ${path}`, { accepts, description: path.slice(1) }]),
  );
  if (options.framework === 'hono') {
    const app = new Hono();
    app.use(honoPayments(routes, resourceServer));
    for (const [path, answer] of Object.entries(handlers))
      app.get(path, (c) => {
        const { status, body } = answer();
        return c.json(body, (status ?? 200) as 200);
      });
    const { url, close } = await listenLocal(getRequestListener(app.fetch));
    return { url, close };
  }
  const app = express();
  app.use(expressPayments(routes, resourceServer));
  for (const [path, answer] of Object.entries(handlers))
    app.get(path, (_req, res) => {
      const { status, body } = answer();
      res.status(status ?? 200).json(body);
    });
  const { url, close } = await listenLocal(app);
  return { url, close };
}

/**
 * A `batch-settlement` offer of 1000 atomic units of the devnet's token to its `payTo`, with the channel
 * terms (`receiverAuthorizer`, a 900 s withdrawal delay) and the token's EIP-712 domain.
 *
 * @example const requirements = devnetBatchRequirements(devnet, devnet.accounts.facilitator.address)
 */
export function devnetBatchRequirements(devnet: Devnet, receiverAuthorizer: string): PaymentRequirements {
  return {
    scheme: 'batch-settlement',
    network: devnet.network,
    amount: '1000',
    asset: devnet.token.address,
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 300,
    extra: { receiverAuthorizer, withdrawDelay: 900, name: devnet.token.name, version: devnet.token.version },
  };
}

/**
 * Our `batch-settlement` facilitator scheme on the devnet, sending from (and authorizing as) its
 * facilitator account, with quick receipt polling.
 *
 * @example const facilitator = devnetBatchFacilitator(devnet); await facilitator.settle(payment, requirements, { x402Version: 2 })
 */
export function devnetBatchFacilitator(devnet: Devnet): BatchSettlementEvmFacilitator {
  return createBatchSettlementEvmFacilitator({
    networks: { [devnet.network]: { rpcUrl: devnet.rpcUrl } },
    signers: [devnet.accounts.facilitator.privateKey as Hex],
    pollingIntervalMs: 20,
    receiptTimeoutMs: 10_000,
  });
}

/**
 * A channel of `payer` on the devnet to its `payTo`, delegated to its facilitator account as receiver
 * authorizer, with a 900 s withdrawal delay and the salt `salt` (one channel per salt).
 *
 * @example const config = devnetChannelConfig(devnet, payer.address, 7, { withdrawDelay: 1000 })
 */
export function devnetChannelConfig(
  devnet: Devnet,
  payer: Hex,
  salt: number,
  patch: Partial<ChannelConfig> = {},
): ChannelConfig {
  return {
    payer,
    payerAuthorizer: payer,
    receiver: devnet.accounts.payTo.address as Hex,
    receiverAuthorizer: devnet.accounts.facilitator.address as Hex,
    token: devnet.token.address,
    withdrawDelay: 900,
    salt: toHex(salt, { size: 32 }),
    ...patch,
  };
}

/** A devnet with our batch-settlement facilitator scheme on it ({@link devnetBatchFacilitator}). */
export type BatchDevnet = { devnet: Devnet; facilitator: BatchSettlementEvmFacilitator; chainId: number };

/**
 * Registers `before` (start a devnet with `options` and our facilitator scheme on it) and `after` (close
 * the scheme, stop the devnet) hooks in the calling test file; the returned object is filled in when
 * `before` has run, so read it inside tests only.
 *
 * @example
 * const env = useBatchDevnet({ extraPayers: 3 });
 * it('advertises', () => assert.ok(env.facilitator.getExtra?.(env.devnet.network)));
 */
export function useBatchDevnet(options: StartDevnetOptions = {}): BatchDevnet {
  const env = {} as BatchDevnet;
  before(async () => {
    env.devnet = await startDevnet(options);
    env.chainId = env.devnet.chain.id;
    env.facilitator = devnetBatchFacilitator(env.devnet);
  });
  after(async () => {
    env.facilitator?.close();
    await env.devnet?.stop();
  });
  return env;
}

/** Options of {@link devnetBatchDeposit}. */
export type DevnetBatchDepositOptions = {
  /** The channel's salt (one channel per salt): a number, or its 32-byte hex. */
  salt: number | Hex;
  /** Default the devnet's facilitator account. */
  receiverAuthorizer?: string;
  /** The deposit in prices of 1000 units; default 10 (as our client deposits). */
  multiplier?: number;
};

/**
 * The first payment of `payer` into a fresh channel on the devnet, as our client makes it for
 * {@link devnetBatchRequirements}: an ERC-3009 deposit of `multiplier` prices with a voucher for one price.
 *
 * @example
 * const { payment, requirements } = await devnetBatchDeposit(devnet, payer, { salt: 1 })
 * await facilitator.settle(payment, requirements, { x402Version: 2 })
 */
export async function devnetBatchDeposit(
  devnet: Devnet,
  payer: LocalAccount,
  options: DevnetBatchDepositOptions,
): Promise<{ payment: PaymentPayload; requirements: PaymentRequirements }> {
  const authorizer = options.receiverAuthorizer ?? devnet.accounts.facilitator.address;
  const requirements = devnetBatchRequirements(devnet, authorizer);
  const client = createBatchSettlementEvmClient({
    signer: payer,
    salt: typeof options.salt === 'number' ? toHex(options.salt, { size: 32 }) : options.salt,
    depositPolicy: { multiplier: options.multiplier ?? 10 },
  });
  const { payload } = await client.createPaymentPayload(requirements, { x402Version: 2 });
  return { payment: { x402Version: 2, accepted: requirements, payload }, requirements };
}

/** The devnet token balances a batch-settlement flow moves: the payer's, `payTo`'s and the escrow's. */
export type BatchBalances = { payer: bigint; payTo: bigint; escrow: bigint };

/**
 * The devnet token balances of its payer, its `payTo` and the batch-settlement escrow.
 *
 * @example const start = await batchBalances(devnet)
 */
export async function batchBalances(devnet: Devnet): Promise<BatchBalances> {
  const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);
  return {
    payer: await balance(devnet.accounts.payer.address),
    payTo: await balance(devnet.accounts.payTo.address),
    escrow: await balance(BATCH_SETTLEMENT_ADDRESS),
  };
}

/**
 * Pay `url` once with `pay` and assert a 200 with the {@link SUNNY} body and a successful PAYMENT-RESPONSE;
 * the settlement it carries.
 *
 * @example const deposit = await paidSunny(pay, `${server.url}/weather`)
 */
export async function paidSunny(pay: typeof fetch, url: string) {
  const res = await pay(url);
  const body = await res.text();
  assert.equal(res.status, 200, `${body} ${res.headers.get('payment-required') ?? ''}`);
  assert.deepEqual(JSON.parse(body), SUNNY.body);
  const header = res.headers.get('payment-response');
  assert.ok(header, 'PAYMENT-RESPONSE');
  const settlement = decodePaymentResponseHeader(header);
  assert.equal(settlement.success, true, JSON.stringify(settlement));
  return settlement as typeof settlement & {
    extra: {
      chargedAmount?: string;
      channelState: { chargedCumulativeAmount: string } & Record<string, unknown>;
    };
  };
}

/**
 * Pay `url` once as a channel's first request: a deposit whose transaction was mined successfully and
 * moved exactly the deposited amount from the payer into the escrow. The settlement, the amount, and
 * the balances before and after it.
 *
 * @example const { deposited, afterDeposit } = await paidDeposit(devnet, pay, url)
 */
export async function paidDeposit(devnet: Devnet, pay: typeof fetch, url: string) {
  const start = await batchBalances(devnet);
  const deposit = await paidSunny(pay, url);
  assert.match(deposit.transaction, /^0x[0-9a-f]{64}$/);
  const deposited = BigInt(deposit.amount ?? '0');
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
  assert.equal((await chain.getTransactionReceipt({ hash: deposit.transaction as Hex })).status, 'success');
  const afterDeposit = await batchBalances(devnet);
  assert.equal(afterDeposit.payer, start.payer - deposited);
  assert.equal(afterDeposit.escrow, start.escrow + deposited);
  return { deposit, deposited, start, afterDeposit };
}

/**
 * One claim run of our scheduler (its own timer set to an hour, so only this run claims), stopped
 * after; asserts that nothing failed. What the run claimed and swept.
 *
 * @example const run = await claimOnce({ store, facilitator, network: devnet.network })
 */
export async function claimOnce(options: ClaimSchedulerOptions): Promise<ClaimRun> {
  const scheduler = startClaimScheduler({ policy: { intervalMs: 3_600_000 }, ...options });
  const run = await scheduler.claimNow();
  await scheduler.stop();
  assert.deepEqual(run.failures, []);
  return run;
}

/**
 * The official server's channel manager claims its channels and sweeps them to `payTo`: one claim
 * and a settle transaction.
 *
 * @example await officialClaimAndSettle(official, devnet.network)
 */
export async function officialClaimAndSettle(server: OfficialBatchServerRunning, network: string) {
  const manager = server.scheme.createChannelManager(
    server.facilitatorClient,
    network as `${string}:${string}`,
  );
  const { claims, settle } = await manager.claimAndSettle();
  assert.equal(claims.length, 1);
  assert.ok(settle?.transaction);
  return { claims, settle };
}
