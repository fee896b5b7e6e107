/**
 * End to end on the local Solana devnet: a paying fetch (ours, then the official @x402/fetch with
 * @x402/svm) -> our Express middleware -> our resource server -> our facilitator engine with
 * `exact` on SVM -> litesvm behind a real JSON-RPC server. The 402 offers devnet USDC with the
 * facilitator's fee payer; the paid retry moves exactly the price, once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KeyPairSigner } from '@solana/kit';
import { x402Client } from '@x402/core/client';
import { wrapFetchWithPayment as officialFetch } from '@x402/fetch';
import { ExactSvmScheme } from '@x402/svm/exact/client';
import {
  createFacilitator,
  createResourceServer,
  createX402Client,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
} from '@x402kit/core';
import {
  type SolanaDevnet,
  solanaDevnetAccount,
  solanaDevnetSigner,
  startSolanaDevnet,
} from '@x402kit/devnet';
import { wrapFetchWithPayment } from '@x402kit/http';
import { paymentMiddleware } from '@x402kit/http/express';
import { createExactSvmClient, createExactSvmFacilitator, createExactSvmServer } from '@x402kit/svm';
import { devnetExactOffer } from '@x402kit/testing/devnet-offer';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import express from 'express';

let devnet: SolanaDevnet;
let payer: KeyPairSigner;
let feePayer: KeyPairSigner;
let server: Running;
let handlerCalls = 0;

before(async () => {
  devnet = await startSolanaDevnet();
  payer = await solanaDevnetSigner('payer');
  feePayer = await solanaDevnetSigner('feePayer');
  const svm = createExactSvmFacilitator({
    networks: { [devnet.network]: { rpcUrl: devnet.rpcUrl } },
    feePayers: [(await solanaDevnetAccount('feePayer')).secretKey],
    pollingIntervalMs: 20,
  });
  const facilitator = createFacilitator({ schemes: [{ networks: svm.networks, facilitator: svm }] });
  const resourceServer = createResourceServer({
    facilitators: facilitator,
    schemes: [{ network: 'solana:*', server: createExactSvmServer() }],
  });
  const app = express();
  app.use(
    paymentMiddleware(
      {
        'GET /weather': {
          accepts: devnetExactOffer(devnet),
          description: 'the weather',
        },
      },
      resourceServer,
    ),
  );
  app.get('/weather', (_req, res) => {
    handlerCalls += 1;
    res.json({ forecast: 'sunny' });
  });
  server = await listenLocal(app);
});

after(async () => {
  await server?.close();
  await devnet?.stop();
});

describe('exact on SVM end to end', () => {
  it("answers 402 with devnet USDC and the facilitator's fee payer", async () => {
    const res = await fetch(`${server.url}/weather`);
    assert.equal(res.status, 402);
    const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    const [offer] = required.accepts;
    assert.deepEqual(
      { network: offer?.network, asset: offer?.asset, amount: offer?.amount, extra: offer?.extra },
      {
        network: devnet.network,
        asset: devnet.usdc.address,
        amount: '1000',
        extra: { feePayer: feePayer.address },
      },
    );
  });

  it('our paying fetch pays once and gets the resource', async () => {
    const client = createX402Client({
      schemes: [{ network: 'solana:*', client: createExactSvmClient({ signer: payer, rpc: devnet.rpcUrl }) }],
    });
    const before = await devnet.balances(devnet.accounts.payTo.address);
    const calls = handlerCalls;
    const res = await wrapFetchWithPayment(fetch, client)(`${server.url}/weather`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { forecast: 'sunny' });
    const receipt = decodePaymentResponseHeader(res.headers.get('payment-response') ?? '');
    assert.equal(receipt.success, true);
    assert.equal(receipt.payer, payer.address);
    assert.deepEqual(devnet.chain.signatureStatus(receipt.transaction)?.err, null);
    assert.equal((await devnet.balances(devnet.accounts.payTo.address)).USDC - before.USDC, 1000n);
    assert.equal(handlerCalls - calls, 1);
  });

  it('the official @x402/fetch with @x402/svm pays our server', async () => {
    const client = new x402Client().register(
      devnet.network as `${string}:${string}`,
      new ExactSvmScheme(payer, { rpcUrl: devnet.rpcUrl }),
    );
    const before = await devnet.balances(devnet.accounts.payTo.address);
    const res = await officialFetch(fetch, client)(`${server.url}/weather`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { forecast: 'sunny' });
    const receipt = decodePaymentResponseHeader(res.headers.get('payment-response') ?? '');
    assert.equal(receipt.success, true);
    assert.equal((await devnet.balances(devnet.accounts.payTo.address)).USDC - before.USDC, 1000n);
  });
});
