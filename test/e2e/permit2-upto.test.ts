/**
 * End to end on the devnet for Permit2 payments: our paying fetch -> our Express middleware -> a
 * facilitator over HTTP running our `exact` (Permit2 path) and `upto` schemes -> a real chain with
 * Permit2 and the x402 proxies at their canonical addresses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createX402Client, decodePaymentRequiredHeader } from '@x402kit/core';
import {
  bscUsdtToken,
  confirmTransaction,
  createDevnetClient,
  DEVNET_PERMIT_TOKEN,
  type Devnet,
  devnetAccount,
  mintTokens,
  mintWith,
  placeErc20Token,
  readTokenBalance,
  startDevnet,
} from '@x402kit/devnet';
import {
  buildPermit2Approval,
  createExactEvmClient,
  createExactEvmServer,
  createUptoEvmClient,
  createUptoEvmServer,
  EIP2612_GAS_SPONSORING,
  ERC20_APPROVAL_GAS_SPONSORING,
  readPermit2Allowance,
} from '@x402kit/evm';
import { getPaymentResponse, setSettlementOverrides, wrapFetchWithPayment } from '@x402kit/http';
import { createOurEvmEngine, serveOurEngine, startOurPaidApi } from '@x402kit/testing/ours';
import { createPublicClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

let devnet: Devnet;
let facilitatorUrl: string;
let closeFacilitator: () => Promise<void>;
let serverUrl: string;
let closeServer: () => Promise<void>;

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);

function payingFetch(key: Hex, withSponsoring = false, rpcUrl = devnet.rpcUrl): typeof fetch {
  const account = privateKeyToAccount(key);
  const rpc = createPublicClient({ transport: http(rpcUrl) });
  const permit2 = withSponsoring ? { client: rpc, signTransaction: account.signTransaction } : undefined;
  const client = createX402Client({
    schemes: [
      {
        network: 'eip155:*',
        client: createExactEvmClient({ signer: account, ...(permit2 ? { permit2 } : {}) }),
      },
      {
        network: 'eip155:*',
        client: createUptoEvmClient({ signer: account, ...(permit2 ? { permit2 } : {}) }),
      },
    ],
  });
  return wrapFetchWithPayment(fetch, client);
}

/** Our `exact` + `upto` engine on `chain`, with both gas-sponsoring extensions. */
const ourPermit2Engine = (chain: Devnet) =>
  createOurEvmEngine({
    rpcUrl: chain.rpcUrl,
    network: chain.network,
    privateKeys: [chain.accounts.facilitator.privateKey as Hex],
    upto: true,
    sponsoring: true,
  });

const exactAndUpto = () => [
  { network: 'eip155:*', server: createExactEvmServer() },
  { network: 'eip155:*', server: createUptoEvmServer() },
];

async function approvePermit2(key: Hex): Promise<void> {
  const client = createDevnetClient(devnet.chain);
  const { to, data } = buildPermit2Approval({ token: devnet.token.address });
  const hash = await client.sendTransaction({
    account: privateKeyToAccount(key),
    to,
    data,
    chain: devnet.chain,
  });
  await confirmTransaction(client, hash);
}

describe('Permit2 exact and upto end to end (our client, server, facilitator)', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0, extraPayers: 2 });
    const service = await serveOurEngine(ourPermit2Engine(devnet));
    facilitatorUrl = service.url;
    closeFacilitator = service.close;
    const permit2Price = {
      amount: '1000',
      asset: devnet.token.address,
      extra: { assetTransferMethod: 'permit2' },
    };
    const exactOffer = {
      scheme: 'exact',
      network: devnet.network,
      payTo: devnet.accounts.payTo.address,
      price: permit2Price,
    };
    const uptoOffer = {
      scheme: 'upto',
      network: devnet.network,
      payTo: devnet.accounts.payTo.address,
      price: '$0.01',
    };
    ({ url: serverUrl, close: closeServer } = await startOurPaidApi({
      facilitatorUrl,
      schemes: exactAndUpto(),
      routes: {
        'GET /exact-permit2': { accepts: exactOffer, description: 'exact via Permit2' },
        'GET /exact-permit2-sponsored': {
          accepts: exactOffer,
          description: 'exact via Permit2, approval gas sponsored',
          extensions: {
            [ERC20_APPROVAL_GAS_SPONSORING]: {
              info: { description: 'approval sponsored', version: '1' },
              schema: {},
            },
          },
        },
        'GET /upto': { accepts: uptoOffer, description: 'metered' },
        'GET /upto-free': { accepts: uptoOffer, description: 'metered, nothing used' },
      },
      serve(app) {
        app.get(['/exact-permit2', '/exact-permit2-sponsored'], (_req, res) => {
          res.json({ ok: true });
        });
        app.get('/upto', (_req, res) => {
          setSettlementOverrides(res, { amount: '$0.004' });
          res.json({ used: '0.004' });
        });
        app.get('/upto-free', (_req, res) => {
          setSettlementOverrides(res, { amount: '0' });
          res.json({ used: '0' });
        });
      },
    }));
  });

  after(async () => {
    await closeServer?.();
    await closeFacilitator?.();
    await devnet?.stop();
  });

  it('answers 412 with PAYMENT-REQUIRED while the payer has no Permit2 allowance, pays after approval', async () => {
    const key = devnet.accounts.payer.privateKey as Hex;
    const pay = payingFetch(key);
    const refused = await pay(`${serverUrl}/exact-permit2`);
    assert.equal(refused.status, 412);
    const pr = decodePaymentRequiredHeader(refused.headers.get('payment-required') ?? '');
    assert.equal(pr.error, 'permit2_allowance_required');
    assert.deepEqual(pr.accepts[0]?.extra, { assetTransferMethod: 'permit2' });

    await approvePermit2(key);
    const payer = devnet.accounts.payer.address;
    const payTo = devnet.accounts.payTo.address;
    const [p0, t0] = [await balance(payer), await balance(payTo)];
    const res = await payingFetch(key)(`${serverUrl}/exact-permit2`);
    assert.equal(res.status, 200, await res.clone().text());
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success);
    assert.match(receipt.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(await balance(payer), p0 - 1000n);
    assert.equal(await balance(payTo), t0 + 1000n);
  });

  it('upto: a $0.01 maximum whose handler charges $0.004 settles exactly 4000', async () => {
    const probe = await fetch(`${serverUrl}/upto`);
    assert.equal(probe.status, 402);
    const offer = decodePaymentRequiredHeader(probe.headers.get('payment-required') ?? '').accepts[0];
    assert.equal(offer?.amount, '10000');
    assert.deepEqual(offer?.extra, {
      name: 'USDC',
      version: '2',
      assetTransferMethod: 'permit2',
      facilitatorAddress: devnet.accounts.facilitator.address,
    });
    const payer = devnet.accounts.payer.address;
    const payTo = devnet.accounts.payTo.address;
    const [p0, t0] = [await balance(payer), await balance(payTo)];
    const res = await payingFetch(devnet.accounts.payer.privateKey as Hex)(`${serverUrl}/upto`);
    assert.equal(res.status, 200, await res.clone().text());
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success);
    assert.equal(receipt.amount, '4000');
    assert.equal(await balance(payer), p0 - 4000n);
    assert.equal(await balance(payTo), t0 + 4000n);
  });

  it('upto: a zero charge settles nothing', async () => {
    const payer = devnet.accounts.payer.address;
    const p0 = await balance(payer);
    const res = await payingFetch(devnet.accounts.payer.privateKey as Hex)(`${serverUrl}/upto-free`);
    assert.equal(res.status, 200);
    const receipt = getPaymentResponse(res);
    assert.deepEqual([receipt?.success, receipt?.transaction, receipt?.amount], [true, '', '0']);
    assert.equal(await balance(payer), p0);
  });

  it('erc20ApprovalGasSponsoring: a payer with zero ETH and no allowance pays', async () => {
    const fresh = devnetAccount(17);
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    await mintTokens(devnet, fresh.address, 1_000_000n);
    assert.equal(await chain.getBalance({ address: fresh.address }), 0n);
    assert.equal(
      await readPermit2Allowance(chain, { token: devnet.token.address, owner: fresh.address }),
      0n,
    );
    const t0 = await balance(devnet.accounts.payTo.address);
    const res = await payingFetch(fresh.privateKey as Hex, true)(`${serverUrl}/exact-permit2-sponsored`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.ok(getPaymentResponse(res)?.success);
    assert.equal(await balance(fresh.address), 1_000_000n - 1000n);
    assert.equal(await balance(devnet.accounts.payTo.address), t0 + 1000n);
  });
});

describe('Permit2 on a BSC-like chain: 18-decimal USDT (no EIP-3009/2612) and an EIP-2612 token', () => {
  let bsc: Devnet;
  let url: string;
  const stops: Array<() => Promise<void> | void> = [];
  const usdt = bscUsdtToken(56);
  const pusd = DEVNET_PERMIT_TOKEN;
  const tokenBalance = (token: string, who: string) => readTokenBalance(bsc.rpcUrl, token as Hex, who as Hex);

  before(async () => {
    bsc = await startDevnet({ port: 0, chainId: 56 });
    const client = createDevnetClient(bsc.chain);
    const owner = bsc.accounts.deployer.address;
    await placeErc20Token(client, { token: usdt, owner });
    await placeErc20Token(client, { token: pusd, owner });
    const service = await serveOurEngine(ourPermit2Engine(bsc));
    stops.push(service.close);
    const payTo = bsc.accounts.payTo.address;
    const declare = (key: string) => ({ [key]: { info: { description: key, version: '1' }, schema: {} } });
    const pusdPrice = {
      amount: '1000',
      asset: pusd.address,
      extra: { name: pusd.name, version: pusd.version, assetTransferMethod: 'permit2' },
    };
    const api = await startOurPaidApi({
      facilitatorUrl: service.url,
      schemes: exactAndUpto(),
      routes: {
        'GET /usdt': {
          accepts: { scheme: 'exact', network: bsc.network, payTo, price: '$0.01' },
          extensions: declare(ERC20_APPROVAL_GAS_SPONSORING),
        },
        'GET /pusd': {
          accepts: { scheme: 'exact', network: bsc.network, payTo, price: pusdPrice },
          extensions: declare(EIP2612_GAS_SPONSORING),
        },
        'GET /pusd-upto': {
          accepts: {
            scheme: 'upto',
            network: bsc.network,
            payTo,
            price: { amount: '2000', asset: pusd.address, extra: { name: pusd.name, version: pusd.version } },
          },
          extensions: declare(EIP2612_GAS_SPONSORING),
        },
      },
      serve(app) {
        app.get(['/usdt', '/pusd'], (_req, res) => {
          res.json({ ok: true });
        });
        app.get('/pusd-upto', (_req, res) => {
          setSettlementOverrides(res, { amount: '1500' });
          res.json({ ok: true });
        });
      },
    });
    url = api.url;
    stops.push(api.close);
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop();
    await bsc?.stop();
  });

  async function freshPayer(index: number, token: string, amount: bigint) {
    const payer = devnetAccount(index);
    const client = createDevnetClient(bsc.chain);
    await mintWith(client, {
      token: token as Hex,
      owner: bsc.accounts.deployer.address,
      to: payer.address,
      amount,
    });
    assert.equal(await client.getBalance({ address: payer.address }), 0n);
    return payer;
  }

  it('prices $0.01 in 18-decimal USDT with extra { assetTransferMethod: "permit2" } only', async () => {
    const res = await fetch(`${url}/usdt`);
    assert.equal(res.status, 402);
    const offer = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '').accepts[0];
    assert.equal(offer?.amount, '10000000000000000');
    assert.equal(offer?.asset, usdt.address);
    assert.deepEqual(offer?.extra, { assetTransferMethod: 'permit2' });
  });

  it('USDT: a zero-ETH payer without allowance pays through erc20ApprovalGasSponsoring', async () => {
    const payer = await freshPayer(18, usdt.address, 10n ** 18n);
    const t0 = await tokenBalance(usdt.address, bsc.accounts.payTo.address);
    const res = await payingFetch(payer.privateKey as Hex, true, bsc.rpcUrl)(`${url}/usdt`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.ok(getPaymentResponse(res)?.success);
    assert.equal(await tokenBalance(usdt.address, payer.address), 10n ** 18n - 10n ** 16n);
    assert.equal(await tokenBalance(usdt.address, bsc.accounts.payTo.address), t0 + 10n ** 16n);
  });

  it('EIP-2612 token: a zero-ETH payer without allowance pays exact through eip2612GasSponsoring', async () => {
    const payer = await freshPayer(19, pusd.address, 1_000_000n);
    const res = await payingFetch(payer.privateKey as Hex, true, bsc.rpcUrl)(`${url}/pusd`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.ok(getPaymentResponse(res)?.success);
    assert.equal(await tokenBalance(pusd.address, payer.address), 1_000_000n - 1000n);
  });

  it('EIP-2612 token: upto with eip2612GasSponsoring settles the overridden 1500 of 2000', async () => {
    const payer = await freshPayer(20, pusd.address, 1_000_000n);
    const res = await payingFetch(payer.privateKey as Hex, true, bsc.rpcUrl)(`${url}/pusd-upto`);
    assert.equal(res.status, 200, await res.clone().text());
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success);
    assert.equal(receipt.amount, '1500');
    assert.equal(await tokenBalance(pusd.address, payer.address), 1_000_000n - 1500n);
  });
});
