/**
 * The whole facilitator deployment (`createFacilitatorApp`, what `x402kit facilitator --config`
 * runs) serving TRON from its config: `exact_permit` and `exact_gasfree` on the devnet's Nile,
 * `/supported`, `/fee/quote` and `/health` naming TRON, and the ledger making a replayed TRON
 * payment answer its first outcome instead of settling again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createX402Client,
  decodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  type PaymentPayload,
} from '@x402kit/core';
import { startTronDevnet, type TronDevnet, tronDevnetAccount } from '@x402kit/devnet';
import {
  createFacilitatorApp,
  type FacilitatorApp,
  type FacilitatorServer,
  parseServiceConfig,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { getPaymentResponse, wrapFetchWithPayment } from '@x402kit/http';
import { CHAINS } from '@x402kit/testing/chains';
import {
  ourTronFetch,
  type RunningTron,
  startOurGasFreeApi,
  startOurTronServer,
  TRON_FEE,
} from '@x402kit/testing/tron';
import { createExactPermitTronClient } from '@x402kit/tron/exact-permit';
import { createExactGasFreeClient } from '@x402kit/tron/gasfree';
import { privateKeyToAccount } from 'viem/accounts';

const GASFREE_FEE = 100_000n;
let devnet: TronDevnet;
let app: FacilitatorApp;
let http: FacilitatorServer;
let api: RunningTron;

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${http.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('the facilitator deployment serving TRON from its config', () => {
  before(async () => {
    devnet = await startTronDevnet();
    const gasFree = devnet.gasFree ?? assert.fail('the devnet has GasFree by default');
    const usdt = devnet.assets.USDT.address;
    const config = parseServiceConfig(
      {
        port: 0,
        signers: { privateKeys: [`0x${devnet.accounts.facilitator.privateKey}`] },
        ledger: { sqlite: { path: ':memory:' } },
        tron: {
          networks: {
            'tron:3448148188': { fullHost: devnet.fullHost, gasFree: { baseUrl: gasFree.baseUrl } },
          },
          fees: { 'tron:nile': { [usdt]: { amount: String(TRON_FEE) } } },
          gasFreeFees: { 'tron:nile': { [usdt]: String(GASFREE_FEE) } },
          receiptTimeoutMs: 20_000,
        },
      },
      { chains: CHAINS },
    );
    app = await createFacilitatorApp(config, { autoStart: false, log: () => {} });
    http = await startFacilitatorServer({ service: app.service, port: 0 });
    api = await startOurTronServer({
      facilitatorUrl: http.url,
      payTo: devnet.accounts.payTo.address,
      routes: [{ path: '/weather', price: '$0.01' }],
    });
  });
  after(async () => {
    await api?.close();
    await http?.close();
    await app?.close();
    await devnet?.stop();
  });

  it('lists both TRON schemes in /supported and reports the TRON node in /health', async () => {
    const supported = (await (await fetch(`${http.url}/supported`)).json()) as {
      kinds: Array<{ scheme: string; network: string; extra?: Record<string, unknown> }>;
    };
    const tron = supported.kinds.filter((k) => k.network.startsWith('tron:'));
    assert.deepEqual(tron.map((k) => `${k.scheme} ${k.network}`).sort(), [
      'exact_gasfree tron:nile',
      'exact_permit tron:nile',
    ]);
    const permit = tron.find((k) => k.scheme === 'exact_permit');
    assert.equal(permit?.extra?.caller, devnet.accounts.facilitator.address);
    const health = await fetch(`${http.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
  });

  it('watches the TRON settlement key: its TRX balance in SUN, on /metrics', async () => {
    const readings = await app.monitor.check();
    const nile = readings.find((r) => r.network === 'tron:nile');
    assert.equal(nile?.unit, 'sun');
    assert.equal(nile?.address, devnet.accounts.facilitator.address);
    assert.ok((nile?.balance ?? 0n) > 0n, 'the devnet funds the facilitator with TRX');
    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    assert.match(
      metrics,
      /x402kit_relayer_balance_sun\{network="tron:nile",address="T[1-9A-HJ-NP-Za-km-z]{33}"\} \d+/,
    );
  });

  it('quotes TRON fees on /fee/quote, exact_permit with our caller and exact_gasfree with a provider', async () => {
    const usdt = devnet.assets.USDT.address;
    const { status, json } = await post('/fee/quote', {
      accepts: [
        { scheme: 'exact_permit', network: 'tron:nile', asset: usdt, amount: '10000', payTo: usdt },
        { scheme: 'exact_gasfree', network: 'tron:nile', asset: usdt, amount: '10000', payTo: usdt },
      ],
    });
    assert.equal(status, 200);
    // BofAI's shape: a plain list, one quote per priced offer
    assert.ok(Array.isArray(json), `a list of quotes: ${JSON.stringify(json)}`);
    assert.equal(json.length, 2, JSON.stringify(json));
    const quotes = json as Array<{
      scheme: string;
      fee: { feeTo: string; feeAmount: string; caller?: string };
    }>;
    const permit = quotes.find((q) => q.scheme === 'exact_permit');
    const gasFree = quotes.find((q) => q.scheme === 'exact_gasfree');
    assert.equal(permit?.fee.feeAmount, String(TRON_FEE));
    assert.equal(permit?.fee.caller, devnet.accounts.facilitator.address);
    assert.equal(gasFree?.fee.feeAmount, String(GASFREE_FEE));
    assert.ok(
      devnet.gasFree?.providers.includes(gasFree?.fee.feeTo ?? ''),
      'the fee goes to a GasFree provider',
    );
  });

  it('settles exact_permit and records it in the ledger, found by Base58 payer and by TRON transaction id', async () => {
    const payer = devnet.accounts.payer.address;
    const before = (await devnet.balances(payer)).USDT;
    const pay = ourTronFetch({
      signer: devnet.accounts.payer.privateKey,
      node: { fullHost: devnet.fullHost },
    });
    const res = await pay(`${api.url}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    const receipt = getPaymentResponse(res);
    assert.match(String(receipt?.transaction), /^[0-9a-f]{64}$/);
    const after = (await devnet.balances(payer)).USDT;
    assert.equal(before - after, 10_000n + TRON_FEE);

    // the ledger recorded it, queried by the payer's Base58 address and by the TRON transaction id
    const rows = (await (await fetch(`${http.url}/payments?network=tron:nile&payer=${payer}`)).json()) as {
      payments?: Array<{ state: string; transaction: string | null }>;
    };
    const row = rows.payments?.find((p) => p.transaction === receipt?.transaction);
    assert.equal(row?.state, 'settled', JSON.stringify(rows));
    const byTx = await fetch(`${http.url}/payments/tx/${receipt?.transaction}`);
    assert.equal(byTx.status, 200);
  });

  it('answers other /settle calls of a settled TRON payment duplicate_settlement with its transaction (one transfer)', async () => {
    const offer = await fetch(`${api.url}/weather`);
    const pr = decodePaymentRequiredHeader(offer.headers.get('payment-required') ?? '');
    if (pr.x402Version !== 2) throw new Error('expected v2');
    const accepted = pr.accepts[0] ?? assert.fail('no offer');
    const client = createX402Client({
      schemes: [
        {
          network: 'tron:*',
          client: createExactPermitTronClient({
            signer: devnet.accounts.payer.privateKey,
            node: { fullHost: devnet.fullHost },
          }),
        },
      ],
    });
    const paid = await client.createPaymentPayload(pr);
    if (paid.x402Version !== 2) throw new Error('expected a v2 payload');
    const captured: PaymentPayload = paid;
    const body = { x402Version: 2, paymentPayload: captured, paymentRequirements: accepted };
    const payTo = devnet.accounts.payTo.address;
    const before = (await devnet.balances(payTo)).USDT;
    // two anonymous callers at once: one settles, the other is told it is a duplicate
    const both = await Promise.all([post('/settle', body), post('/settle', body)]);
    const first = both.find((a) => a.json.success === true) ?? assert.fail(JSON.stringify(both));
    const second = both.find((a) => a !== first) ?? assert.fail('two answers');
    assert.equal(second.json.errorReason, 'duplicate_settlement', JSON.stringify(second.json));
    assert.ok(second.json.transaction === '' || second.json.transaction === first.json.transaction);
    const third = await post('/settle', body);
    assert.equal(third.json.errorReason, 'duplicate_settlement');
    assert.equal(third.json.transaction, first.json.transaction);
    assert.equal((await devnet.balances(payTo)).USDT - before, 10_000n, 'paid exactly once');
    // and a fresh 402 flow with the same payload is refused before any settlement
    const replay = await fetch(`${api.url}/weather`, {
      headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(captured) },
    });
    assert.equal(replay.status, 402);
    const refusal = decodePaymentRequiredHeader(replay.headers.get('payment-required') ?? '');
    assert.equal(refusal.error, 'duplicate_settlement');
    assert.equal((await devnet.balances(payTo)).USDT - before, 10_000n);
  });

  it('settles exact_gasfree through the same deployment', async () => {
    const account = tronDevnetAccount(45);
    const gasFree = devnet.gasFree ?? assert.fail('no GasFree');
    await gasFree.fund(account.address, 5_000_000n);
    const gasApi = await startOurGasFreeApi({
      facilitatorUrl: http.url,
      payTo: devnet.accounts.payTo.address,
      price: '$0.01',
    });
    try {
      const client = createX402Client({
        schemes: [
          {
            network: 'tron:*',
            client: createExactGasFreeClient({
              signer: privateKeyToAccount(`0x${account.privateKey}`),
              apis: { 'tron:nile': { baseUrl: gasFree.baseUrl } },
              node: { 'tron:nile': { url: devnet.fullHost } },
            }),
          },
        ],
      });
      const before = (await devnet.balances(devnet.accounts.payTo.address)).USDT;
      const res = await wrapFetchWithPayment(fetch, client)(`${gasApi.url}/weather`);
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(String(getPaymentResponse(res)?.transaction), /^[0-9a-f]{64}$/);
      assert.equal((await devnet.balances(devnet.accounts.payTo.address)).USDT - before, 10_000n);
    } finally {
      await gasApi.close();
    }
  });
});
