/**
 * `exact` on SVM with a Token-2022 stablecoin, end to end on the local Solana devnet: the 402 offers devnet
 * PYUSD (Token-2022 mint CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM); our paying fetch and the official
 * @x402/fetch with @x402/svm pay it through our facilitator engine, and our paying fetch pays it through the
 * official @x402/svm facilitator engine. Each paid retry moves exactly the price between the Token-2022
 * associated token accounts, once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KeyPairSigner } from '@solana/kit';
import { x402Client } from '@x402/core/client';
import { x402Facilitator } from '@x402/core/facilitator';
import { wrapFetchWithPayment as officialFetch } from '@x402/fetch';
import { toFacilitatorSvmSigner } from '@x402/svm';
import { ExactSvmScheme } from '@x402/svm/exact/client';
import { registerExactSvmScheme } from '@x402/svm/exact/facilitator';
import {
  createFacilitator,
  createResourceServer,
  createX402Client,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  type FacilitatorClient,
  type ResourceServer,
  type SettleResponse,
  type SupportedResponse,
  type VerifyResponse,
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
import { listenLocal, type Running } from '@x402kit/testing/listen';
import express from 'express';

const PRICE = 2500n;

let devnet: SolanaDevnet;
let payer: KeyPairSigner;
let feePayer: KeyPairSigner;
let ours: Running;
let official: Running;
let handlerCalls = 0;

/** The official facilitator engine, seen through our `FacilitatorClient` (its wire types are ours). */
function officialEngine(engine: x402Facilitator): FacilitatorClient {
  return {
    verify: async (payload, requirements) =>
      (await engine.verify(payload as never, requirements as never)) as VerifyResponse,
    settle: async (payload, requirements) =>
      (await engine.settle(payload as never, requirements as never)) as SettleResponse,
    supported: async () => engine.getSupported() as SupportedResponse,
  };
}

/** An Express app selling GET /weather for {@link PRICE} atomic units of devnet PYUSD. */
async function sellPyusd(resourceServer: ResourceServer): Promise<Running> {
  const app = express();
  app.use(
    paymentMiddleware(
      {
        'GET /weather': {
          accepts: {
            scheme: 'exact',
            network: devnet.network,
            payTo: devnet.accounts.payTo.address,
            price: { amount: PRICE.toString(), asset: devnet.pyusd.address },
          },
          description: 'the weather, paid in PYUSD',
        },
      },
      resourceServer,
    ),
  );
  app.get('/weather', (_req, res) => {
    handlerCalls += 1;
    res.json({ forecast: 'sunny' });
  });
  return listenLocal(app);
}

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
  ours = await sellPyusd(
    createResourceServer({
      facilitators: facilitator,
      schemes: [{ network: 'solana:*', server: createExactSvmServer() }],
    }),
  );
  const engine = new x402Facilitator();
  registerExactSvmScheme(engine, {
    signer: toFacilitatorSvmSigner(feePayer, { defaultRpcUrl: devnet.rpcUrl }),
    networks: devnet.network as `${string}:${string}`,
  });
  official = await sellPyusd(
    createResourceServer({
      facilitators: officialEngine(engine),
      schemes: [{ network: 'solana:*', server: createExactSvmServer() }],
    }),
  );
});

after(async () => {
  await ours?.close();
  await official?.close();
  await devnet?.stop();
});

/** PYUSD and USDC of the payer and payTo. */
async function holdings() {
  const [p, t] = await Promise.all([
    devnet.balances(devnet.accounts.payer.address),
    devnet.balances(devnet.accounts.payTo.address),
  ]);
  return { payer: p.PYUSD, payTo: t.PYUSD, usdc: p.USDC + t.USDC };
}

/** Fetches `url` with `pay`, and checks the receipt and that exactly {@link PRICE} PYUSD moved, once. */
async function paysOnce(pay: typeof fetch, url: string): Promise<void> {
  const before = await holdings();
  const calls = handlerCalls;
  const res = await pay(url);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { forecast: 'sunny' });
  const receipt = decodePaymentResponseHeader(res.headers.get('payment-response') ?? '');
  assert.equal(receipt.success, true);
  assert.equal(receipt.payer, payer.address);
  assert.equal(receipt.network, devnet.network);
  assert.deepEqual(devnet.chain.signatureStatus(receipt.transaction)?.err, null);
  const after = await holdings();
  assert.equal(before.payer - after.payer, PRICE, 'the payer paid the price in PYUSD');
  assert.equal(after.payTo - before.payTo, PRICE, 'payTo received the price in PYUSD');
  assert.equal(after.usdc, before.usdc, 'no USDC moved');
  assert.equal(handlerCalls - calls, 1);
}

function ourFetch(): typeof fetch {
  const client = createX402Client({
    schemes: [{ network: 'solana:*', client: createExactSvmClient({ signer: payer, rpc: devnet.rpcUrl }) }],
  });
  return wrapFetchWithPayment(fetch, client);
}

describe('exact on SVM with Token-2022 (devnet PYUSD) end to end', () => {
  it("answers 402 with the Token-2022 mint and the facilitator's fee payer", async () => {
    const res = await fetch(`${ours.url}/weather`);
    assert.equal(res.status, 402);
    const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    const [offer] = required.accepts;
    assert.deepEqual(
      { network: offer?.network, asset: offer?.asset, amount: offer?.amount, extra: offer?.extra },
      {
        network: devnet.network,
        asset: 'CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM',
        amount: PRICE.toString(),
        extra: { feePayer: feePayer.address },
      },
    );
  });

  it('our paying fetch pays through our facilitator', async () => {
    await paysOnce(ourFetch(), `${ours.url}/weather`);
  });

  it('the official @x402/fetch with @x402/svm pays through our facilitator', async () => {
    const client = new x402Client().register(
      devnet.network as `${string}:${string}`,
      new ExactSvmScheme(payer, { rpcUrl: devnet.rpcUrl }),
    );
    await paysOnce(officialFetch(fetch, client), `${ours.url}/weather`);
  });

  it('our paying fetch pays through the official @x402/svm facilitator engine', async () => {
    await paysOnce(ourFetch(), `${official.url}/weather`);
  });
});
