/**
 * Interop with the official x402 TypeScript stack (@x402/* 2.27) for Permit2 payments: `exact` with
 * `assetTransferMethod: "permit2"` and `upto`, in every direction that matters. Each payment settles
 * for real and the balances move by exactly the charged amount.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { x402Client } from '@x402/core/client';
import { x402Facilitator } from '@x402/core/facilitator';
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { toFacilitatorEvmSigner } from '@x402/evm';
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
import {
  createFacilitator,
  createHttpFacilitatorClient,
  createResourceServer,
  createX402Client,
  decodePaymentResponseHeader,
  type Facilitator,
} from '@x402kit/core';
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
  createExactEvmFacilitator,
  createExactEvmServer,
  createUptoEvmClient,
  createUptoEvmFacilitator,
  createUptoEvmServer,
  type Permit2Authorization,
  signPermit2Authorization,
  X402_UPTO_PERMIT2_PROXY_ADDRESS,
} from '@x402kit/evm';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import { setSettlementOverrides, wrapFetchWithPayment } from '@x402kit/http';
import { paymentMiddleware } from '@x402kit/http/express';
import express from 'express';
import { createWalletClient, type Hex, http, publicActions } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

type Running = { url: string; close(): Promise<void> };

let devnet: Devnet;
const running: Running[] = [];
const closers: Array<() => void> = [];
let ourFacilitator: Running;
let theirFacilitator: Running;

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);

async function listen(server: Server): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const r = {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  running.push(r);
  return r;
}

/** The official engine behind a minimal HTTP API, as the reference e2e facilitator serves it. */
function serve(engine: {
  verify(p: unknown, r: unknown): Promise<unknown>;
  settle(p: unknown, r: unknown): Promise<unknown>;
  supported(): unknown;
}): Promise<Running> {
  return listen(
    createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      try {
        const parsed: unknown = JSON.parse(body || '{}');
        const field = (name: string): unknown =>
          typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, name) : undefined;
        let out: unknown;
        if (req.method === 'GET' && req.url === '/supported') out = await engine.supported();
        else if (req.url === '/verify')
          out = await engine.verify(field('paymentPayload'), field('paymentRequirements'));
        else if (req.url === '/settle')
          out = await engine.settle(field('paymentPayload'), field('paymentRequirements'));
        else return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
      } catch (error) {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: String(error) }));
      }
    }),
  );
}

function ourFacilitatorEngine(): Facilitator {
  const common = {
    networks: { [devnet.network]: { rpcUrl: devnet.rpcUrl } },
    signers: [devnet.accounts.facilitator.privateKey as Hex],
    pollingIntervalMs: 20,
  };
  const exact = createExactEvmFacilitator(common);
  const upto = createUptoEvmFacilitator(common);
  closers.push(
    () => exact.close(),
    () => upto.close(),
  );
  return createFacilitator({
    schemes: [
      { networks: exact.networks, facilitator: exact },
      { networks: upto.networks, facilitator: upto },
    ],
  });
}

function officialFacilitatorEngine() {
  const account = privateKeyToAccount(devnet.accounts.facilitator.privateKey as Hex);
  const wallet = createWalletClient({ account, chain: devnet.chain, transport: http(devnet.rpcUrl) }).extend(
    publicActions,
  );
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    readContract: (args) => wallet.readContract(args as never),
    verifyTypedData: (args) => wallet.verifyTypedData(args as never),
    writeContract: (args) => wallet.writeContract(args as never),
    sendTransaction: (args) => wallet.sendTransaction(args as never),
    waitForTransactionReceipt: (args) =>
      wallet.waitForTransactionReceipt({ ...(args as object), pollingInterval: 50 } as never),
    getCode: (args) => wallet.getCode(args as never),
  });
  const network = devnet.network as `${string}:${string}`;
  const facilitator = new x402Facilitator();
  registerOfficialExactFacilitator(facilitator, { signer, networks: network });
  facilitator.register(network, new OfficialUptoFacilitator(signer));
  return {
    verify: (p: unknown, r: unknown) => facilitator.verify(p as never, r as never),
    settle: (p: unknown, r: unknown) => facilitator.settle(p as never, r as never),
    supported: () => facilitator.getSupported(),
  };
}

const permit2Price = () => ({
  amount: '1000',
  asset: devnet.token.address,
  extra: { assetTransferMethod: 'permit2' },
});

async function startOurServer(facilitatorUrl: string): Promise<Running> {
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
    schemes: [
      { network: 'eip155:*', server: createExactEvmServer() },
      { network: 'eip155:*', server: createUptoEvmServer() },
    ],
  });
  await resourceServer.initialize();
  const payTo = devnet.accounts.payTo.address;
  const app = express();
  app.use(
    paymentMiddleware(
      {
        'GET /exact': { accepts: { scheme: 'exact', network: devnet.network, payTo, price: permit2Price() } },
        'GET /upto': { accepts: { scheme: 'upto', network: devnet.network, payTo, price: '$0.01' } },
      },
      resourceServer,
    ),
  );
  app.get('/exact', (_req, res) => void res.json({ ok: true }));
  app.get('/upto', (_req, res) => {
    setSettlementOverrides(res, { amount: '$0.004' });
    res.json({ ok: true });
  });
  return listen(await appServer(app));
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
  return listen(await appServer(app));
}

async function appServer(app: express.Express): Promise<Server> {
  return createServer(app);
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
    const ourService = await startFacilitatorServer({
      service: createFacilitatorService({ facilitator: ourFacilitatorEngine() }),
      port: 0,
    });
    ourFacilitator = { url: ourService.url, close: () => ourService.close() };
    running.push(ourFacilitator);
    theirFacilitator = await serve(officialFacilitatorEngine());
    ours = await startOurServer(ourFacilitator.url);
    theirs = await startOfficialServer(theirFacilitator.url);
    theirsOverOurs = await startOfficialServer(ourFacilitator.url);
  });

  after(async () => {
    for (const r of running) await r.close();
    for (const close of closers) close();
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
    const ourEngine = ourFacilitatorEngine();
    const theirEngine = officialFacilitatorEngine();
    const payTo = devnet.accounts.payTo.address;
    const exactReq = {
      scheme: 'exact',
      network: devnet.network,
      amount: '1000',
      asset: devnet.token.address,
      payTo,
      maxTimeoutSeconds: 300,
      extra: { assetTransferMethod: 'permit2' },
    };
    const uptoReq = {
      ...exactReq,
      scheme: 'upto',
      extra: { assetTransferMethod: 'permit2', facilitatorAddress: devnet.accounts.facilitator.address },
    };
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
        ourEngine.verify(payload, requirements),
        theirEngine.verify(payload, requirements),
      ]);
      const pick = (r: unknown) => ({
        isValid: Reflect.get(r as object, 'isValid'),
        invalidReason: Reflect.get(r as object, 'invalidReason'),
      });
      assert.deepEqual(pick(ours), pick(theirs), name);
    }
  });

  it('answers a replayed permit: upto as the official one, exact with the name it means (permit2_invalid_nonce)', async () => {
    const ourEngine = ourFacilitatorEngine();
    const theirEngine = officialFacilitatorEngine();
    const payer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
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
    for (const req of [exactReq, uptoReq]) {
      const kind = req.scheme === 'upto' ? 'upto' : 'exact';
      const payload = {
        x402Version: 2,
        accepted: req,
        payload: await signPermit2Authorization(payer, req, { kind }),
      };
      const first = await ourEngine.settle(payload, req);
      assert.equal(first.success, true, JSON.stringify(first));
      const [ours, theirs] = await Promise.all([
        ourEngine.settle(payload, req),
        theirEngine.settle(payload, req),
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
