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
import { decodePaymentResponseHeader, HeaderNames } from '@x402kit/core';
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createPostgresLedger, type PaymentLedger } from '@x402kit/facilitator';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import {
  approvePermit2,
  REPLAY_PRICE,
  type ReplayEndpoint,
  type ReplayRoute,
  refusalReason,
  sendCopies,
  signPaymentHeader,
  startLedgerFacilitator,
  startReplayServer,
} from '@x402kit/testing/replay';
import type { Hex } from 'viem';

const COPIES = 20;

const ROUTES: ReplayRoute[] = [
  { path: '/eip3009', label: 'exact EIP-3009', scheme: 'exact' },
  { path: '/permit2', label: 'exact Permit2', scheme: 'exact', permit2: true },
  { path: '/upto', label: 'upto', scheme: 'upto' },
  { path: '/upfront', label: 'exact, settled before the handler', scheme: 'exact', upfront: true },
];

let devnet: Devnet;
let pgUrl = '';
const schema = freshSchemaName('replay');
const ledgers: PaymentLedger[] = [];
const closers: Array<() => Promise<void> | void> = [];
/** Handler executions per server and path. */
const runs = new Map<string, number>();

/** One of our facilitator instances (own key) on the shared PostgreSQL ledger. */
async function startFacilitatorInstance(instanceId: string, key: Hex): Promise<string> {
  const ledger = await createPostgresLedger({ url: pgUrl, schema, maxConnections: 5 });
  ledgers.push(ledger);
  const facilitator = await startLedgerFacilitator(devnet, ledger, instanceId, key);
  closers.push(facilitator.close);
  return facilitator.url;
}

async function startServer(kind: 'ours' | 'official', name: string, facilitatorUrl: string) {
  const server = await startReplayServer(kind, devnet, facilitatorUrl, ROUTES, (path) =>
    runs.set(`${name}${path}`, (runs.get(`${name}${path}`) ?? 0) + 1),
  );
  closers.push(server.close);
  return { name, url: server.url };
}

const balance = (address: Hex) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address);

/**
 * Send one header `COPIES` times at once, spread over `servers`, and check the grant rule: one 200,
 * one handler run in all, one transfer of exactly the price; every other copy a 402 naming
 * duplicate_settlement.
 */
async function replay(servers: ReplayEndpoint[], path: string): Promise<void> {
  const payer = devnet.accounts.payer.address;
  const [p0, t0] = [await balance(payer), await balance(devnet.accounts.payTo.address)];
  const handled = () => servers.reduce((n, s) => n + (runs.get(`${s.name}${path}`) ?? 0), 0);
  const before = handled();
  const header = await signPaymentHeader(devnet, `${servers[0]?.url}${path}`);
  const outcomes = await sendCopies(servers, path, header, COPIES);
  const statuses = outcomes.map((o) => o.status);
  assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
  assert.equal(handled() - before, 1, 'the paid handler ran exactly once');
  for (const o of outcomes.filter((x) => x.status !== 200)) {
    assert.equal(o.status, 402, `${o.status} ${o.body}`);
    assert.match(o.reason, /duplicate_settlement/, `a refused copy says why: ${o.reason} ${o.body}`);
  }
  // every route costs $0.001 (upto is charged its full authorized amount)
  assert.equal(await balance(payer), p0 - REPLAY_PRICE, 'exactly one transfer left the payer');
  assert.equal(await balance(devnet.accounts.payTo.address), t0 + REPLAY_PRICE, 'and reached the payee');
}

describe(`one payment, one grant: one header sent ${COPIES} times at once`, () => {
  const ours: ReplayEndpoint[] = [];
  const theirs: ReplayEndpoint[] = [];

  before(async () => {
    pgUrl = await testPostgresUrl();
    devnet = await startDevnet({ port: 0 });
    await approvePermit2(devnet);
    const [a, b] = [
      await startFacilitatorInstance('fac-a', devnetAccount(3).privateKey),
      await startFacilitatorInstance('fac-b', devnetAccount(6).privateKey),
    ];
    ours.push(await startServer('ours', 'ours-1', a));
    ours.push(await startServer('ours', 'ours-2', b));
    ours.push(await startServer('ours', 'ours-3', a));
    theirs.push(await startServer('official', 'official-1', a));
    theirs.push(await startServer('official', 'official-2', b));
    theirs.push(await startServer('official', 'official-3', a));
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
    const header = await signPaymentHeader(devnet, `${ours[0]?.url}/eip3009`);
    const first = await fetch(`${ours[0]?.url}/eip3009`, { headers: { 'PAYMENT-SIGNATURE': header } });
    assert.equal(first.status, 200);
    const receipt = decodePaymentResponseHeader(first.headers.get(HeaderNames.paymentResponse) ?? '');
    for (const server of [ours[0]!, ours[1]!, theirs[0]!]) {
      const again = await fetch(`${server.url}/eip3009`, { headers: { 'PAYMENT-SIGNATURE': header } });
      assert.equal(again.status, 402);
      const body = await again.text();
      assert.match(refusalReason(again, body), /duplicate_settlement/);
      if (server.name.startsWith('ours')) {
        // our server names the transaction the payment already went into
        const said = decodePaymentResponseHeader(again.headers.get(HeaderNames.paymentResponse) ?? '');
        assert.equal(said.transaction, receipt.transaction);
      }
    }
  });
});
