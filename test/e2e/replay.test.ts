/**
 * One payment, one grant, under attack: one signed payment header sent 20 times at once must buy
 * exactly one execution of the paid handler, one 200 and one transfer, whatever the server kind
 * (ours, or the official `@x402/express`), whether the copies hit one server or are split across
 * two servers with separate state, and whether those use one facilitator or two instances sharing
 * one PostgreSQL ledger. Every other copy gets a 402 naming `duplicate_settlement`.
 *
 * Schemes: `exact` with EIP-3009, `exact` with Permit2, `upto`, and `exact` settled before the
 * handler (`settle: 'before-handler'`, the official `upfront` flow).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import {
  buildPermit2Approval,
  createExactEvmClient,
  createExactEvmFacilitator,
  createExactEvmServer,
  createUptoEvmClient,
  createUptoEvmFacilitator,
  createUptoEvmServer,
} from '@x402kit/evm';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import express from 'express';
import { createWalletClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  createLedgerHooks,
  createPostgresLedger,
  identifyPayment,
  type PaymentLedger,
} from '../../packages/facilitator/src/ledger/index.js';
import {
  dropSchema,
  freshSchemaName,
  testPostgresUrl,
} from '../../packages/facilitator/src/ledger/postgres-test-server.test.js';
import { listenLocal } from '../support/listen.js';
import { startOurPaidApi } from '../support/ours.js';

const COPIES = 20;
const PRICE = 1000n;

type Route = { path: string; scheme: 'exact' | 'upto'; permit2?: boolean; upfront?: boolean };
const ROUTES: Route[] = [
  { path: '/eip3009', scheme: 'exact' },
  { path: '/permit2', scheme: 'exact', permit2: true },
  { path: '/upto', scheme: 'upto' },
  { path: '/upfront', scheme: 'exact', upfront: true },
];

let devnet: Devnet;
let pgUrl = '';
const schema = freshSchemaName('replay');
const ledgers: PaymentLedger[] = [];
const closers: Array<() => Promise<void> | void> = [];
/** Handler executions per server and path. */
const runs = new Map<string, number>();

/** One of our facilitator instances (own key, own HTTP server) on the shared PostgreSQL ledger. */
async function startFacilitatorInstance(instanceId: string, key: Hex): Promise<string> {
  const ledger = await createPostgresLedger({ url: pgUrl, schema, maxConnections: 5 });
  ledgers.push(ledger);
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
  closers.push(async () => {
    await server.close();
    for (const s of schemes) s.close();
  });
  return server.url;
}

function count(server: string, path: string): void {
  runs.set(`${server}${path}`, (runs.get(`${server}${path}`) ?? 0) + 1);
}

function price(route: Route) {
  return route.permit2
    ? { amount: PRICE.toString(), asset: devnet.token.address, extra: { assetTransferMethod: 'permit2' } }
    : '$0.001';
}

async function startOurs(name: string, facilitatorUrl: string): Promise<string> {
  const payTo = devnet.accounts.payTo.address;
  const api = await startOurPaidApi({
    facilitatorUrl,
    schemes: [
      { network: 'eip155:*', server: createExactEvmServer() },
      { network: 'eip155:*', server: createUptoEvmServer() },
    ],
    routes: Object.fromEntries(
      ROUTES.map((r) => [
        `GET ${r.path}`,
        {
          accepts: { scheme: r.scheme, network: devnet.network, payTo, price: price(r) },
          ...(r.upfront ? { settle: 'before-handler' as const } : {}),
        },
      ]),
    ),
    serve(app) {
      for (const r of ROUTES) {
        app.get(r.path, (_req, res) => {
          count(name, r.path);
          res.json({ paid: r.path });
        });
      }
    },
  });
  closers.push(() => api.close());
  return api.url;
}

async function startOfficial(name: string, facilitatorUrl: string): Promise<string> {
  const network = devnet.network as `${string}:${string}`;
  const payTo = devnet.accounts.payTo.address;
  const resourceServer = new x402ResourceServer(new HTTPFacilitatorClient({ url: facilitatorUrl }))
    .register(network, new OfficialExactServer())
    .register(network, new OfficialUptoServer());
  const official = ROUTES.filter((r) => !r.upfront);
  const app = express();
  app.use(
    officialMiddleware(
      Object.fromEntries(
        official.map((r) => [
          `GET ${r.path}`,
          { accepts: { scheme: r.scheme, network, payTo, price: price(r) } },
        ]),
      ),
      resourceServer,
    ),
  );
  for (const r of official) {
    app.get(r.path, (_req, res) => {
      count(name, r.path);
      res.json({ paid: r.path });
    });
  }
  const { url, close } = await listenLocal(app);
  closers.push(close);
  return url;
}

const payerKey = () => devnet.accounts.payer.privateKey as Hex;
const balance = (address: Hex) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address);

/** Ask `url` for its 402 and sign one payment for it: the header every copy will carry. */
async function signOnce(url: string): Promise<string> {
  const unpaid = await fetch(url);
  assert.equal(unpaid.status, 402);
  const signer = privateKeyToAccount(payerKey());
  const client = createX402Client({
    schemes: [
      { network: 'eip155:*', client: createExactEvmClient({ signer }) },
      { network: 'eip155:*', client: createUptoEvmClient({ signer }) },
    ],
  });
  const required = decodePaymentRequiredHeader(unpaid.headers.get(HeaderNames.paymentRequired) ?? '');
  return encodePaymentSignatureHeader(await client.createPaymentPayload(required));
}

type Outcome = { status: number; body: string; reason: string };

/** What a refused copy says: the 402's error (PAYMENT-REQUIRED) or its PAYMENT-RESPONSE reason. */
function reasonOf(res: Response, body: string): string {
  const response = res.headers.get(HeaderNames.paymentResponse);
  if (response) return decodePaymentResponseHeader(response).errorReason ?? '';
  const required = res.headers.get(HeaderNames.paymentRequired);
  if (required) return decodePaymentRequiredHeader(required).error ?? '';
  return body;
}

/**
 * Send one header `COPIES` times at once, spread over `servers`, and check the grant rule: one 200,
 * one handler run in all, one transfer of exactly the price; every other copy a 402 naming
 * duplicate_settlement.
 */
async function replay(servers: Array<{ name: string; url: string }>, path: string): Promise<Outcome[]> {
  const payer = devnet.accounts.payer.address;
  const [p0, t0] = [await balance(payer), await balance(devnet.accounts.payTo.address)];
  const before = servers.reduce((n, s) => n + (runs.get(`${s.name}${path}`) ?? 0), 0);
  const header = await signOnce(`${servers[0]?.url}${path}`);
  const outcomes = await Promise.all(
    Array.from({ length: COPIES }, async (_, i) => {
      const server = servers[i % servers.length];
      const res = await fetch(`${server?.url}${path}`, { headers: { 'PAYMENT-SIGNATURE': header } });
      const body = await res.text();
      return { status: res.status, body, reason: reasonOf(res, body) };
    }),
  );
  const statuses = outcomes.map((o) => o.status);
  const handled = servers.reduce((n, s) => n + (runs.get(`${s.name}${path}`) ?? 0), 0) - before;
  assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
  assert.equal(handled, 1, 'the paid handler ran exactly once');
  for (const o of outcomes.filter((x) => x.status !== 200)) {
    assert.equal(o.status, 402, `${o.status} ${o.body}`);
    assert.match(o.reason, /duplicate_settlement/, `a refused copy says why: ${o.reason} ${o.body}`);
  }
  const charged = PRICE; // every route costs $0.001 (upto is charged its full authorized amount)
  assert.equal(await balance(payer), p0 - charged, 'exactly one transfer left the payer');
  assert.equal(await balance(devnet.accounts.payTo.address), t0 + charged, 'and reached the payee');
  return outcomes;
}

describe(`one payment, one grant: one header sent ${COPIES} times at once`, () => {
  const ours: Array<{ name: string; url: string }> = [];
  const theirs: Array<{ name: string; url: string }> = [];

  before(async () => {
    pgUrl = await testPostgresUrl();
    devnet = await startDevnet({ port: 0 });
    // the payer approves Permit2 once, as any Permit2 payer does
    const account = privateKeyToAccount(payerKey());
    const wallet = createWalletClient({ account, chain: devnet.chain, transport: http(devnet.rpcUrl) });
    const { to, data } = buildPermit2Approval({ token: devnet.token.address });
    await wallet.sendTransaction({ to, data });
    const [a, b] = [
      await startFacilitatorInstance('fac-a', devnetAccount(3).privateKey),
      await startFacilitatorInstance('fac-b', devnetAccount(6).privateKey),
    ];
    ours.push({ name: 'ours-1', url: await startOurs('ours-1', a) });
    ours.push({ name: 'ours-2', url: await startOurs('ours-2', b) });
    ours.push({ name: 'ours-3', url: await startOurs('ours-3', a) });
    theirs.push({ name: 'official-1', url: await startOfficial('official-1', a) });
    theirs.push({ name: 'official-2', url: await startOfficial('official-2', b) });
    theirs.push({ name: 'official-3', url: await startOfficial('official-3', a) });
  });

  after(async () => {
    for (const close of closers.reverse()) await close();
    for (const l of ledgers) await l.close();
    await devnet?.stop();
    if (pgUrl) await dropSchema(pgUrl, schema);
  });

  for (const route of ROUTES) {
    // upto binds the facilitator's address into the signature: split over servers of one facilitator
    const split = route.scheme === 'upto' ? [0, 2] : [0, 1];
    it(`${route.path}: our server, one process`, async () => {
      await replay([ours[0]!], route.path);
    });
    it(`${route.path}: our server, two servers with separate state${route.scheme === 'upto' ? '' : ' on two facilitators'}`, async () => {
      await replay(
        split.map((i) => ours[i]!),
        route.path,
      );
    });
    if (route.upfront) continue;
    it(`${route.path}: official @x402/express on our facilitator, one process`, async () => {
      await replay([theirs[0]!], route.path);
    });
    it(`${route.path}: official @x402/express, two servers${route.scheme === 'upto' ? '' : ' on two facilitators'}`, async () => {
      await replay(
        split.map((i) => theirs[i]!),
        route.path,
      );
    });
  }

  it('a replay after the settlement, sequentially, names the first transaction', async () => {
    const header = await signOnce(`${ours[0]?.url}/eip3009`);
    const first = await fetch(`${ours[0]?.url}/eip3009`, { headers: { 'PAYMENT-SIGNATURE': header } });
    assert.equal(first.status, 200);
    const receipt = decodePaymentResponseHeader(first.headers.get(HeaderNames.paymentResponse) ?? '');
    for (const server of [ours[0]!, ours[1]!, theirs[0]!]) {
      const again = await fetch(`${server.url}/eip3009`, { headers: { 'PAYMENT-SIGNATURE': header } });
      assert.equal(again.status, 402);
      const body = await again.text();
      assert.match(reasonOf(again, body), /duplicate_settlement/);
      if (server.name.startsWith('ours')) {
        // our server names the transaction the payment already went into
        const said = decodePaymentResponseHeader(again.headers.get(HeaderNames.paymentResponse) ?? '');
        assert.equal(said.transaction, receipt.transaction);
      }
    }
  });
});
