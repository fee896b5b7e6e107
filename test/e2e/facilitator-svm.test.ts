/**
 * Solana in the facilitator service (issue 10), on the local Solana devnet (litesvm behind a real
 * JSON-RPC server): the service as `x402kit facilitator` builds it from a `solana` section (the
 * chain modules of EVM, TRON and Solana given, Solana configured).
 *
 * - It serves `exact` on Solana devnet with its fee payers; our paying fetch and the official
 *   `@x402/fetch` + `@x402/svm` pay our resource server through it; `/health` is ok; `/payments`
 *   finds the payment by the payer's base58 address.
 * - Exactly once: two instances on one PostgreSQL schema, sharing their fee payers (what a
 *   deployment behind one URL must do: a payment names the fee payer it was offered), 10
 *   concurrent `/settle` of one transaction: one transfer; and a paid header replayed 20 times at
 *   once across two of our resource servers runs the handler once.
 * - Reconciliation: a settlement whose confirmation the instance never saw (`settlement_pending`)
 *   is finished by the reconciler from the signature status; one whose transaction never reached
 *   the chain is failed once its blockhash expired.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KeyPairSigner } from '@solana/kit';
import { x402Client } from '@x402/core/client';
import { wrapFetchWithPayment as officialFetch } from '@x402/fetch';
import { ExactSvmScheme } from '@x402/svm/exact/client';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  createX402Client,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  HeaderNames,
  SettleResponse,
} from '@x402kit/core';
import {
  type SolanaDevnet,
  solanaDevnetAccount,
  solanaDevnetSigner,
  startSolanaDevnet,
} from '@x402kit/devnet';
import { wrapFetchWithPayment } from '@x402kit/http';
import { paymentMiddleware } from '@x402kit/http/express';
import { createExactSvmClient, createExactSvmServer, SvmReasons } from '@x402kit/svm';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import { startRpcFaultProxy } from '@x402kit/testing/rpc-fault-proxy';
import {
  fundedFeePayer,
  type SolanaService,
  signSolanaSettleBody,
  solanaRequirements,
  startSolanaService,
} from '@x402kit/testing/solana-service';
import express from 'express';

const DEVNET = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
const PRICE = 1000n;

let devnet: SolanaDevnet;
let payer: KeyPairSigner;
/** The devnet's fee payer and one more, both funded. */
let feePayerKeys: string[] = [];
let feePayerAddresses: string[] = [];
const closers: Array<() => Promise<void>> = [];

async function post(base: string, path: string, body: string, attempt?: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(attempt ? { 'x402-attempt': attempt } : {}) },
    body,
  });
  assert.equal(res.status, 200, `${path} answered ${res.status}: ${await res.clone().text()}`);
  return res.json();
}
const settle = async (base: string, body: string, attempt?: string) =>
  SettleResponse.parse(await post(base, '/settle', body, attempt));

const balances = async () => ({
  payer: (await devnet.balances(payer.address)).USDC,
  payTo: (await devnet.balances(devnet.accounts.payTo.address)).USDC,
});

/** Our Express API selling GET /weather for $0.001 on Solana devnet through `facilitatorUrl`. */
async function startApi(facilitatorUrl: string, ran: () => void): Promise<Running> {
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
    schemes: [{ network: 'solana:*', server: createExactSvmServer() }],
  });
  const app = express();
  app.use(
    paymentMiddleware(
      {
        'GET /weather': {
          accepts: {
            scheme: 'exact',
            network: DEVNET,
            payTo: devnet.accounts.payTo.address,
            price: '$0.001',
          },
        },
      },
      resourceServer,
    ),
  );
  app.get('/weather', (_req, res) => {
    ran();
    res.json({ forecast: 'sunny' });
  });
  const api = await listenLocal(app);
  closers.push(api.close);
  return api;
}

/** `header` sent `copies` times at once to `path`, round-robin over `urls`: each copy's status and refusal reason. */
function sendCopies(urls: readonly string[], path: string, header: string, copies: number) {
  return Promise.all(
    Array.from({ length: copies }, async (_, i) => {
      const res = await fetch(`${urls[i % urls.length]}${path}`, {
        headers: { 'PAYMENT-SIGNATURE': header },
      });
      const body = await res.text();
      const response = res.headers.get(HeaderNames.paymentResponse);
      const required = res.headers.get(HeaderNames.paymentRequired);
      const reason = response
        ? (decodePaymentResponseHeader(response).errorReason ?? '')
        : required
          ? (decodePaymentRequiredHeader(required).error ?? '')
          : body.slice(0, 80);
      return { status: res.status, reason };
    }),
  );
}

async function service(config: Record<string, unknown>, rpcUrl?: string): Promise<SolanaService> {
  const started = await startSolanaService(devnet, feePayerKeys, {
    config,
    ...(rpcUrl ? { rpcUrl } : {}),
    log: (event) => {
      if (event.level === 'error') console.error(JSON.stringify(event));
    },
  });
  closers.push(started.close);
  return started;
}

before(async () => {
  devnet = await startSolanaDevnet();
  payer = await solanaDevnetSigner('payer');
  const extra = await fundedFeePayer(devnet, 1);
  const main = await solanaDevnetAccount('feePayer');
  feePayerKeys = [main.secretKey, extra.secretKey];
  feePayerAddresses = [main.address, extra.address];
});
after(async () => {
  for (const close of closers.reverse()) await close();
  await devnet?.stop();
});

describe('the facilitator service serves exact on Solana', () => {
  let facilitator: SolanaService;
  let api: Running;
  let handled = 0;
  before(async () => {
    facilitator = await service({ instanceId: 'svm-service' });
    api = await startApi(facilitator.url, () => {
      handled += 1;
    });
  });

  it('/supported lists exact on Solana devnet with a fee payer in extra and every fee payer as a signer', async () => {
    const supported = (await (await fetch(`${facilitator.url}/supported`)).json()) as {
      kinds: Array<{ x402Version: number; scheme: string; network: string; extra?: { feePayer?: string } }>;
      signers: Record<string, string[]>;
    };
    const kind = supported.kinds.find((k) => k.network === DEVNET && k.x402Version === 2);
    assert.equal(kind?.scheme, 'exact');
    assert.ok(feePayerAddresses.includes(kind?.extra?.feePayer ?? ''), JSON.stringify(kind));
    assert.deepEqual(supported.signers['solana:*'], feePayerAddresses);
    assert.ok(
      supported.kinds.some((k) => k.network === 'solana-devnet' && k.x402Version === 1),
      'v1 kind for solana-devnet',
    );
  });

  it('/health is ok', async () => {
    const res = await fetch(`${facilitator.url}/health`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('our paying fetch pays our resource server through it: one transfer of the price, one handler run', async () => {
    const client = createX402Client({
      schemes: [{ network: 'solana:*', client: createExactSvmClient({ signer: payer, rpc: devnet.rpcUrl }) }],
    });
    const before = await balances();
    const runs = handled;
    const res = await wrapFetchWithPayment(fetch, client)(`${api.url}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { forecast: 'sunny' });
    const receipt = decodePaymentResponseHeader(res.headers.get(HeaderNames.paymentResponse) ?? '');
    assert.equal(receipt.success, true);
    assert.equal(receipt.payer, payer.address);
    assert.deepEqual(devnet.chain.signatureStatus(receipt.transaction)?.err, null);
    const after = await balances();
    assert.equal(before.payer - after.payer, PRICE);
    assert.equal(after.payTo - before.payTo, PRICE);
    assert.equal(handled - runs, 1);

    // the ledger keyed it by the payer's base58 address and its signature
    const listed = (await (await fetch(`${facilitator.url}/payments?payer=${payer.address}`)).json()) as {
      payments: Array<{ state: string; transaction: string | null; nonce: string; asset: string }>;
    };
    const row = listed.payments.find((p) => p.transaction === receipt.transaction);
    assert.equal(row?.state, 'settled', JSON.stringify(listed));
    assert.equal(row?.asset, devnet.usdc.address);
    assert.match(row?.nonce ?? '', /^solsig:[1-9A-HJ-NP-Za-km-z]{64,88}$/);
  });

  it('the official @x402/fetch with @x402/svm pays our resource server through it', async () => {
    const client = new x402Client().register(
      DEVNET as `${string}:${string}`,
      new ExactSvmScheme(payer, { rpcUrl: devnet.rpcUrl }),
    );
    const before = await balances();
    const res = await officialFetch(fetch, client)(`${api.url}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { forecast: 'sunny' });
    const receipt = decodePaymentResponseHeader(res.headers.get(HeaderNames.paymentResponse) ?? '');
    assert.equal(receipt.success, true);
    const after = await balances();
    assert.equal(before.payer - after.payer, PRICE);
    assert.equal(after.payTo - before.payTo, PRICE);
  });
  it('settles an x402 v1 payment on solana-devnet once, keyed under the CAIP-2 id', async () => {
    const requirements = solanaRequirements(devnet, feePayerAddresses[0] ?? '');
    const signed = JSON.parse(await signSolanaSettleBody(devnet, requirements)) as {
      paymentPayload: { payload: { transaction: string } };
    };
    const body = JSON.stringify({
      x402Version: 1,
      paymentPayload: {
        x402Version: 1,
        scheme: 'exact',
        network: 'solana-devnet',
        payload: signed.paymentPayload.payload,
      },
      paymentRequirements: {
        scheme: 'exact',
        network: 'solana-devnet',
        maxAmountRequired: requirements.amount,
        resource: 'https://api.example/weather',
        payTo: requirements.payTo,
        maxTimeoutSeconds: requirements.maxTimeoutSeconds,
        asset: requirements.asset,
        extra: requirements.extra,
      },
    });
    const before = await balances();
    const settled = await settle(facilitator.url, body);
    assert.equal(settled.success, true, JSON.stringify(settled));
    assert.equal(settled.network, 'solana-devnet');
    const again = await settle(facilitator.url, body);
    assert.equal(again.errorReason, 'duplicate_settlement');
    assert.equal(again.transaction, settled.transaction);
    assert.equal((await balances()).payTo - before.payTo, PRICE);
    const [row] = await facilitator.app.ledger.list({ payer: payer.address, network: DEVNET, limit: 1 });
    assert.equal(row?.transaction, settled.transaction);
  });
});

describe('exactly once on Solana: two instances, one PostgreSQL ledger', () => {
  let pgUrl = '';
  const schema = freshSchemaName('svm_exactly_once');
  const instances: SolanaService[] = [];
  before(async () => {
    pgUrl = await testPostgresUrl();
    for (const instanceId of ['svm-a', 'svm-b']) {
      instances.push(await service({ instanceId, ledger: { postgres: { url: pgUrl, schema } } }));
    }
  });
  after(async () => {
    if (pgUrl) await dropSchema(pgUrl, schema);
  });

  it('10 concurrent /settle of one signed transaction across both instances: one transfer, one success', async () => {
    const body = await signSolanaSettleBody(devnet, solanaRequirements(devnet, feePayerAddresses[1] ?? ''));
    const before = await balances();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => settle(instances[i % 2]?.url ?? '', body)),
    );
    const after = await balances();
    const successes = answers.filter((a) => a.success);
    assert.equal(successes.length, 1, JSON.stringify(answers));
    const signature = successes[0]?.transaction ?? '';
    assert.deepEqual(devnet.chain.signatureStatus(signature)?.err, null);
    for (const answer of answers.filter((a) => !a.success)) {
      // the official duplicate answer, naming the transaction once it is known
      assert.equal(answer.errorReason, 'duplicate_settlement', JSON.stringify(answer));
      assert.ok(answer.transaction === '' || answer.transaction === signature, JSON.stringify(answer));
      assert.equal(answer.payer, payer.address);
    }
    assert.equal(before.payer - after.payer, PRICE);
    assert.equal(after.payTo - before.payTo, PRICE);
    // later, on either instance: a retry is the same payment, already settled
    for (const instance of instances) {
      const again = await settle(instance.url, body);
      assert.equal(again.errorReason, 'duplicate_settlement');
      assert.equal(again.transaction, signature);
    }
    assert.equal((await balances()).payTo, after.payTo);
  });

  it('10 concurrent tries of one grant attempt across both instances all get the one success', async () => {
    const body = await signSolanaSettleBody(devnet, solanaRequirements(devnet, feePayerAddresses[0] ?? ''));
    const before = await balances();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => settle(instances[i % 2]?.url ?? '', body, 'att_svm_exactly_once')),
    );
    assert.ok(
      answers.every((a) => a.success),
      JSON.stringify(answers),
    );
    assert.equal(new Set(answers.map((a) => a.transaction)).size, 1);
    assert.equal((await balances()).payTo - before.payTo, PRICE);
  });

  it('a paid header replayed 20 times at once across two of our servers runs the handler once', async () => {
    let runs = 0;
    const servers: string[] = [];
    for (const instance of instances) {
      const api = await startApi(instance.url, () => {
        runs += 1;
      });
      servers.push(api.url);
    }
    const unpaid = await fetch(`${servers[0]}/weather`);
    assert.equal(unpaid.status, 402);
    const required = decodePaymentRequiredHeader(unpaid.headers.get(HeaderNames.paymentRequired) ?? '');
    const client = createX402Client({
      schemes: [{ network: 'solana:*', client: createExactSvmClient({ signer: payer, rpc: devnet.rpcUrl }) }],
    });
    const header = encodePaymentSignatureHeader(await client.createPaymentPayload(required));
    const before = await balances();
    const answers = await sendCopies(servers, '/weather', header, 20);
    const paid = answers.filter((a) => a.status === 200);
    assert.equal(paid.length, 1, JSON.stringify(answers.map((a) => [a.status, a.reason])));
    assert.equal(runs, 1);
    for (const refused of answers.filter((a) => a.status !== 200)) {
      assert.equal(refused.status, 402, JSON.stringify(refused));
      assert.equal(refused.reason, 'duplicate_settlement', JSON.stringify(refused));
    }
    const after = await balances();
    assert.equal(before.payer - after.payer, PRICE);
    assert.equal(after.payTo - before.payTo, PRICE);
  });
});

describe('a Solana settlement the instance never saw confirmed is finished by the reconciler', () => {
  let facilitator: SolanaService;
  let proxy: Awaited<ReturnType<typeof startRpcFaultProxy>>;
  before(async () => {
    proxy = await startRpcFaultProxy({ target: devnet.rpcUrl });
    closers.push(() => proxy.close());
    facilitator = await service(
      // a sweep that finds a row still unknown leaves it for leaseMs: short, so the test can ask again
      { instanceId: 'svm-reconcile', settlement: { receiptTimeoutMs: 300 }, reconciler: { leaseMs: 200 } },
      proxy.url,
    );
  });

  const ledgerRow = async (payerAddress: string, transaction: string) => {
    const rows = await facilitator.app.ledger.list({ payer: payerAddress, limit: 1000 });
    return rows.find((r) => r.transaction === transaction);
  };

  it('sent, status lost: settlement_pending with the signature, then settled from the signature status', async () => {
    const body = await signSolanaSettleBody(devnet, solanaRequirements(devnet, feePayerAddresses[0] ?? ''));
    const before = await balances();
    proxy.setFault('getSignatureStatuses', { kind: 'bad-gateway' });
    const pending = await settle(facilitator.url, body, 'att_svm_pending');
    assert.equal(pending.success, false);
    assert.equal(pending.errorReason, 'settlement_pending', JSON.stringify(pending));
    const signature = pending.transaction;
    // the chain has it; the instance did not see it
    assert.deepEqual(devnet.chain.signatureStatus(signature)?.err, null);
    assert.equal((await ledgerRow(payer.address, signature))?.state, 'pending');

    proxy.heal();
    const reconciler = facilitator.app.reconciler;
    assert.ok(reconciler);
    const swept = await reconciler.sweep();
    assert.equal(swept.settled, 1, JSON.stringify(swept));
    const row = await ledgerRow(payer.address, signature);
    assert.equal(row?.state, 'settled');
    assert.deepEqual(row?.outcome, {
      success: true,
      transaction: signature,
      network: DEVNET,
      payer: payer.address,
    });
    // the same attempt now gets the settled answer; the money moved once
    assert.deepEqual(await settle(facilitator.url, body, 'att_svm_pending'), row?.outcome);
    const after = await balances();
    assert.equal(before.payer - after.payer, PRICE);
    assert.equal(after.payTo - before.payTo, PRICE);
  });

  it('never reached the chain: pending while its blockhash is valid, failed once it expired, nothing charged', async () => {
    const body = await signSolanaSettleBody(devnet, solanaRequirements(devnet, feePayerAddresses[1] ?? ''));
    const before = await balances();
    proxy.setFault('sendTransaction', { kind: 'cut' });
    proxy.setFault('getSignatureStatuses', { kind: 'bad-gateway' });
    const pending = await settle(facilitator.url, body);
    assert.equal(pending.errorReason, 'settlement_pending', JSON.stringify(pending));
    const signature = pending.transaction;
    assert.equal(devnet.chain.signatureStatus(signature), undefined);
    proxy.heal();
    const reconciler = facilitator.app.reconciler;
    assert.ok(reconciler);
    const early = await reconciler.sweep();
    assert.equal(early.unknown, 1, JSON.stringify(early));
    assert.equal((await ledgerRow(payer.address, signature))?.state, 'pending');

    for (let block = 0; block < 152; block++) devnet.chain.advance();
    // the sweep leases a row it could not finish for a while: take it again once that lease ended
    const deadline = Date.now() + 30_000;
    let row = await ledgerRow(payer.address, signature);
    while (row?.state === 'pending' && Date.now() < deadline) {
      await reconciler.sweep();
      row = await ledgerRow(payer.address, signature);
      if (row?.state === 'pending') await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(row?.state, 'failed', JSON.stringify(row));
    assert.equal(row?.outcome?.success, false);
    assert.equal(row?.outcome?.errorReason, SvmReasons.transactionExpired);
    const after = await balances();
    assert.deepEqual(after, before);
  });
});
