/**
 * Interop with the official x402 TypeScript stack (@x402/* 2.27) for Permit2 payments: `exact` with
 * `assetTransferMethod: "permit2"` and `upto`, in every direction that matters. Each payment settles
 * for real and the balances move by exactly the charged amount.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { x402Client } from '@x402/core/client';
import { x402Facilitator } from '@x402/core/facilitator';
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { registerExactEvmScheme as registerOfficialExactClient } from '@x402/evm/exact/client';
import { registerExactEvmScheme as registerOfficialExactFacilitator } from '@x402/evm/exact/facilitator';
import { ExactEvmScheme as OfficialExactServer } from '@x402/evm/exact/server';
import { UptoEvmScheme as OfficialUptoClient } from '@x402/evm/upto/client';
import { UptoEvmScheme as OfficialUptoFacilitator } from '@x402/evm/upto/facilitator';
import { UptoEvmScheme as OfficialUptoServer } from '@x402/evm/upto/server';
import {
  paymentMiddleware as officialMiddleware,
  setSettlementOverrides as officialOverrides,
} from '@x402/express';
import { wrapFetchWithPayment as officialWrap } from '@x402/fetch';
import { createX402Client, decodePaymentResponseHeader } from '@x402kit/core';
import {
  confirmTransaction,
  createDevnetClient,
  type Devnet,
  readTokenBalance,
  startDevnet,
} from '@x402kit/devnet';
import {
  buildPermit2Approval,
  createExactEvmClient,
  createExactEvmServer,
  createUptoEvmClient,
  createUptoEvmServer,
  type Permit2Authorization,
  signPermit2Authorization,
  X402_UPTO_PERMIT2_PROXY_ADDRESS,
} from '@x402kit/evm';
import { setSettlementOverrides, wrapFetchWithPayment } from '@x402kit/http';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import { officialFacilitatorSigner, serveOfficialFacilitator } from '@x402kit/testing/official';
import {
  createOurEvmEngine,
  type OurEvmEngine,
  serveOurEngine,
  startOurPaidApi,
} from '@x402kit/testing/ours';
import express from 'express';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

let devnet: Devnet;
const running: Running[] = [];
/** Our `exact` + `upto` engine (behind our facilitator service) and the official one (behind theirs). */
let ourEngine: OurEvmEngine;
let theirEngine: x402Facilitator;

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);

/** Keep `starting` for the final close. */
async function started(starting: Promise<Running>): Promise<Running> {
  const r = await starting;
  running.push(r);
  return r;
}

function officialFacilitatorEngine(): x402Facilitator {
  const { signer } = officialFacilitatorSigner({
    rpcUrl: devnet.rpcUrl,
    privateKey: devnet.accounts.facilitator.privateKey as Hex,
    chain: devnet.chain,
    pollingIntervalMs: 50,
  });
  const network = devnet.network as `${string}:${string}`;
  const facilitator = new x402Facilitator();
  registerOfficialExactFacilitator(facilitator, { signer, networks: network });
  facilitator.register(network, new OfficialUptoFacilitator(signer));
  return facilitator;
}

const permit2Price = () => ({
  amount: '1000',
  asset: devnet.token.address,
  extra: { assetTransferMethod: 'permit2' },
});

/** `exact` (Permit2) and `upto` requirements of 1000 of the devnet token, as the facilitators see them. */
function permit2Requirements() {
  const exactReq = {
    scheme: 'exact',
    network: devnet.network,
    amount: '1000',
    asset: devnet.token.address,
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 300,
    extra: { assetTransferMethod: 'permit2' },
  };
  const uptoReq = {
    ...exactReq,
    scheme: 'upto',
    extra: { assetTransferMethod: 'permit2', facilitatorAddress: devnet.accounts.facilitator.address },
  };
  return { exactReq, uptoReq };
}

function startOurServer(facilitatorUrl: string): Promise<Running> {
  const payTo = devnet.accounts.payTo.address;
  return startOurPaidApi({
    facilitatorUrl,
    schemes: [
      { network: 'eip155:*', server: createExactEvmServer() },
      { network: 'eip155:*', server: createUptoEvmServer() },
    ],
    routes: {
      'GET /exact': { accepts: { scheme: 'exact', network: devnet.network, payTo, price: permit2Price() } },
      'GET /upto': { accepts: { scheme: 'upto', network: devnet.network, payTo, price: '$0.01' } },
    },
    serve(app) {
      app.get('/exact', (_req, res) => void res.json({ ok: true }));
      app.get('/upto', (_req, res) => {
        setSettlementOverrides(res, { amount: '$0.004' });
        res.json({ ok: true });
      });
    },
  });
}

async function startOfficialServer(facilitatorUrl: string): Promise<Running> {
  const network = devnet.network as `${string}:${string}`;
  const payTo = devnet.accounts.payTo.address;
  const resourceServer = new x402ResourceServer(new HTTPFacilitatorClient({ url: facilitatorUrl }))
    .register(network, new OfficialExactServer())
    .register(network, new OfficialUptoServer());
  const app = express();
  app.use(
    officialMiddleware(
      {
        'GET /exact': { accepts: { scheme: 'exact', network, payTo, price: permit2Price() } },
        'GET /upto': { accepts: { scheme: 'upto', network, payTo, price: '$0.01' } },
      },
      resourceServer,
    ),
  );
  app.get('/exact', (_req, res) => void res.json({ ok: true }));
  app.get('/upto', (_req, res) => {
    officialOverrides(res, { amount: '$0.004' });
    res.json({ ok: true });
  });
  const { url, close } = await listenLocal(app);
  return { url, close };
}

function ourFetch(): typeof fetch {
  const signer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
  return wrapFetchWithPayment(
    fetch,
    createX402Client({
      schemes: [
        { network: 'eip155:*', client: createExactEvmClient({ signer }) },
        { network: 'eip155:*', client: createUptoEvmClient({ signer }) },
      ],
    }),
  );
}

function officialFetch(): typeof fetch {
  const signer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
  const client = new x402Client();
  registerOfficialExactClient(client, { signer });
  client.register('eip155:*', new OfficialUptoClient(signer));
  return officialWrap(fetch, client);
}

/** Pay `url`, then check a successful receipt and that exactly `charged` moved. */
async function paysFor(pay: typeof fetch, url: string, charged: bigint): Promise<void> {
  const payer = devnet.accounts.payer.address;
  const payTo = devnet.accounts.payTo.address;
  const [p0, t0] = [await balance(payer), await balance(payTo)];
  const res = await pay(url);
  const body = await res.text();
  assert.equal(res.status, 200, `${body} ${res.headers.get('payment-required') ?? ''}`);
  const header = res.headers.get('payment-response');
  assert.ok(header, 'PAYMENT-RESPONSE header');
  const receipt = decodePaymentResponseHeader(header);
  assert.equal(receipt.success, true);
  assert.match(receipt.transaction, /^0x[0-9a-f]{64}$/);
  assert.equal(await balance(payer), p0 - charged);
  assert.equal(await balance(payTo), t0 + charged);
}

describe('interop with @x402/* 2.27: Permit2 exact and upto', () => {
  let ours: Running;
  let theirs: Running;
  let theirsOverOurs: Running;

  before(async () => {
    devnet = await startDevnet({ port: 0, extraPayers: 1 });
    const client = createDevnetClient(devnet.chain);
    const { to, data } = buildPermit2Approval({ token: devnet.token.address });
    const account = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
    await confirmTransaction(
      client,
      await client.sendTransaction({ account, to, data, chain: devnet.chain }),
    );
    ourEngine = createOurEvmEngine({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
      upto: true,
    });
    const ourFacilitator = await started(serveOurEngine(ourEngine));
    theirEngine = officialFacilitatorEngine();
    const theirFacilitator = await started(serveOfficialFacilitator(theirEngine));
    ours = await started(startOurServer(ourFacilitator.url));
    theirs = await started(startOfficialServer(theirFacilitator.url));
    theirsOverOurs = await started(startOfficialServer(ourFacilitator.url));
  });

  after(async () => {
    for (const r of running) await r.close();
    await devnet?.stop();
  });

  it('official client -> our server + our facilitator: exact via Permit2', () =>
    paysFor(officialFetch(), `${ours.url}/exact`, 1000n));
  it('official client -> our server + our facilitator: upto (charges 4000 of 10000)', () =>
    paysFor(officialFetch(), `${ours.url}/upto`, 4000n));
  it('our client -> official server + official facilitator: exact via Permit2', () =>
    paysFor(ourFetch(), `${theirs.url}/exact`, 1000n));
  it('our client -> official server + official facilitator: upto', () =>
    paysFor(ourFetch(), `${theirs.url}/upto`, 4000n));
  it('official client -> official server -> our facilitator: exact via Permit2', () =>
    paysFor(officialFetch(), `${theirsOverOurs.url}/exact`, 1000n));
  it('official client -> official server -> our facilitator: upto', () =>
    paysFor(officialFetch(), `${theirsOverOurs.url}/upto`, 4000n));
  it('our client -> official server -> our facilitator: upto', () =>
    paysFor(ourFetch(), `${theirsOverOurs.url}/upto`, 4000n));

  it('answers the same bad inputs with the same reasons as the official facilitator', async () => {
    const payTo = devnet.accounts.payTo.address;
    const { exactReq, uptoReq } = permit2Requirements();
    const payer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
    const unapproved = privateKeyToAccount(devnet.extraPayers[0]?.privateKey as Hex);
    const now = Math.floor(Date.now() / 1000);
    const sign = async (
      req: typeof exactReq,
      authorization: Partial<Permit2Authorization> = {},
      signer = payer,
    ) => {
      const kind = req.scheme === 'upto' ? 'upto' : 'exact';
      const payload = await signPermit2Authorization(signer, req, { kind, authorization });
      return { x402Version: 2, accepted: req, payload };
    };
    const witness = (w: Partial<Permit2Authorization['witness']>) => ({ to: payTo, validAfter: '0', ...w });
    const cases: Array<[string, Promise<unknown>, unknown]> = [
      ['valid exact', sign(exactReq), exactReq],
      ['valid upto', sign(uptoReq), uptoReq],
      ['scheme', sign(exactReq), { ...exactReq, scheme: 'upto' }],
      ['spender', sign(exactReq, { spender: X402_UPTO_PERMIT2_PROXY_ADDRESS }), exactReq],
      ['recipient', sign(exactReq, { witness: witness({ to: payer.address }) }), exactReq],
      ['deadline', sign(exactReq, { deadline: String(now + 3) }), exactReq],
      ['validAfter', sign(exactReq, { witness: witness({ validAfter: String(now + 600) }) }), exactReq],
      ['amount', sign(exactReq), { ...exactReq, amount: '1001' }],
      ['token', sign(exactReq, { permitted: { token: payTo, amount: '1000' } }), exactReq],
      ['signer', sign(exactReq, { from: payTo }), exactReq],
      ['allowance', sign(exactReq, {}, unapproved), exactReq],
      ['upto facilitator', sign(uptoReq, { witness: witness({ facilitator: payTo }) }), uptoReq],
      ['upto allowance', sign(uptoReq, {}, unapproved), uptoReq],
    ];
    for (const [name, payloadPromise, requirements] of cases) {
      const payload = await payloadPromise;
      const [ours, theirs] = await Promise.all([
        ourEngine.facilitator.verify(payload, requirements),
        theirEngine.verify(payload as never, requirements as never),
      ]);
      const pick = (r: unknown) => ({
        isValid: Reflect.get(r as object, 'isValid'),
        invalidReason: Reflect.get(r as object, 'invalidReason'),
      });
      assert.deepEqual(pick(ours), pick(theirs), name);
    }
  });

  it('answers a replayed permit: upto as the official one, exact with the name it means (permit2_invalid_nonce)', async () => {
    const payer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
    const { exactReq, uptoReq } = permit2Requirements();
    for (const req of [exactReq, uptoReq]) {
      const kind = req.scheme === 'upto' ? 'upto' : 'exact';
      const payload = {
        x402Version: 2,
        accepted: req,
        payload: await signPermit2Authorization(payer, req, { kind }),
      };
      const first = await ourEngine.facilitator.settle(payload, req);
      assert.equal(first.success, true, JSON.stringify(first));
      const [ours, theirs] = await Promise.all([
        ourEngine.facilitator.settle(payload, req),
        theirEngine.settle(payload as never, req as never),
      ]);
      assert.equal(ours.success, false);
      assert.equal(Reflect.get(theirs as object, 'success'), false);
      const theirReason = String(Reflect.get(theirs as object, 'errorReason'));
      if (kind === 'upto') {
        // both re-verify with a simulation and answer the diagnosis
        assert.equal(ours.errorReason, theirReason);
        assert.equal(ours.errorReason, 'permit2_simulation_failed');
      } else {
        // Permit2 reverts InvalidNonce(); the reference maps that name to permit2_invalid_nonce, but its
        // exact proxy ABI lacks Permit2's errors, so its settle cannot decode it and answers free text
        assert.equal(ours.errorReason, 'permit2_invalid_nonce', ours.errorMessage);
        assert.ok(theirReason.startsWith('invalid_exact_evm_transaction_failed: '), theirReason.slice(0, 80));
      }
    }
  });
});
