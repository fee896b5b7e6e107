/**
 * One payment, one grant, for BofAI's schemes: one signed payment header sent many times at once
 * must buy exactly one execution of the paid handler, one 200 and one transfer (the payer charged
 * amount + fee once); every other copy gets a 402 naming `duplicate_settlement`. Our servers in
 * front of our facilitator with the ledger hooks, as the production facilitator runs:
 *
 * - `exact_permit` on a BSC-testnet devnet (chain 97);
 * - `exact_permit` on the TRON devnet (offline Nile);
 * - `exact_gasfree` on the TRON devnet (the GasFree API sees one submit).
 *
 * Each with a header from our client and from BofAI's `@bankofai/x402` 0.5.8 client (measured: one
 * BofAI header sent 4 times on chain 97 and on TRON was paid 4 times, the handler ran 4 times).
 * BofAI's header is taken the way its `X402FetchClient` makes it (`X402Client.handlePayment`, then
 * `encodePaymentPayload`), without paying.
 *
 * The copies go to one server, then are spread over two servers with separate state (they share
 * only the `exact_permit` context store, as servers behind one URL must). One server refuses copies
 * on its own (its process-local guard); across two, only the facilitator's ledger holds the rule:
 * without the ledger hooks, the two-server cases answer 2 x 200 and run the handler twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EvmSigner } from '@bankofai/agent-wallet';
import {
  EVM_RPC_URLS,
  EvmClientSigner,
  ExactGasFreeClientMechanism,
  ExactPermitEvmClientMechanism,
  ExactPermitTronClientMechanism,
  encodePaymentPayload,
  GasFreeAPIClient,
  X402Client,
} from '@bankofai/x402';
import {
  createX402Client,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  HeaderNames,
  type PaymentRequired,
  type SchemeClient,
} from '@x402kit/core';
import {
  devnetAccount,
  type MultiDevnet,
  readTokenBalance,
  startDevnets,
  startTronDevnet,
  type TronDevnet,
  tronDevnetAccount,
} from '@x402kit/devnet';
import { createExactPermitEvmClient, createMemoryPaymentPermitContextStore } from '@x402kit/evm';
import { createLedgerHooks, createSqliteLedger, type PaymentLedger } from '@x402kit/facilitator';
import { createLocalTronClientSigner } from '@x402kit/testing/bofai-tron-signer';
import { identifyPayment } from '@x402kit/testing/chains';
import {
  approvePaymentPermit,
  BSC_TESTNET_USDT,
  type ExactPermitApi,
  type ExactPermitStack,
  startOurExactPermitApi,
  startOurExactPermitStack,
} from '@x402kit/testing/exact-permit-evm';
import { type RpcFaultProxy, startRpcFaultProxy } from '@x402kit/testing/rpc-fault-proxy';
import {
  type GasFreeTestStack,
  type RunningTron,
  startGasFreeTestStack,
  startOurGasFreeApi,
  startOurTronFacilitator,
  startOurTronServer,
  TRON_FEE,
} from '@x402kit/testing/tron';
import {
  createExactPermitTronClient,
  createMemoryPaymentPermitContextStore as createMemoryTronContextStore,
} from '@x402kit/tron/exact-permit';
import { createExactGasFreeClient } from '@x402kit/tron/gasfree';
import { getAddress, type Hex, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const COPIES = 20;
/** The measured bug: BofAI's header sent 4 times was paid 4 times. */
const BOFAI_COPIES = 4;

/** What a refused copy says: its PAYMENT-RESPONSE reason or the 402's error (PAYMENT-REQUIRED). */
function reasonOf(res: Response, body: string): string {
  const response = res.headers.get(HeaderNames.paymentResponse);
  if (response) return decodePaymentResponseHeader(response).errorReason ?? '';
  const required = res.headers.get(HeaderNames.paymentRequired);
  if (required) return decodePaymentRequiredHeader(required).error ?? '';
  return body;
}

async function offer(url: string): Promise<PaymentRequired> {
  const res = await fetch(url);
  assert.equal(res.status, 402);
  const pr = decodePaymentRequiredHeader(res.headers.get(HeaderNames.paymentRequired) ?? '');
  if (pr.x402Version !== 2) throw new Error('expected x402 v2');
  return pr;
}

/** Our client's PAYMENT-SIGNATURE for `url`'s offer (signed, not sent). */
async function ourHeader(url: string, network: string, client: SchemeClient): Promise<string> {
  const x402 = createX402Client({ schemes: [{ network, client }] });
  return encodePaymentSignatureHeader(await x402.createPaymentPayload(await offer(url)));
}

/**
 * BofAI's PAYMENT-SIGNATURE for `url`'s offer: what its `X402FetchClient` sends on the retry
 * (`handlePayment` over the 402's accepts and extensions, then `encodePaymentPayload`). Its
 * mechanisms log every allowance and signing step to the console: muted meanwhile.
 */
async function bofaiHeader(url: string, client: X402Client): Promise<string> {
  const pr = await offer(url);
  const requirements = pr.accepts.map((a) => ({ ...a, extra: a.extra ?? {} }));
  const loud = { log: console.log, info: console.info, debug: console.debug, warn: console.warn };
  const mute = () => undefined;
  Object.assign(console, { log: mute, info: mute, debug: mute, warn: mute });
  try {
    return encodePaymentPayload(await client.handlePayment(requirements, url, pr.extensions));
  } finally {
    Object.assign(console, loud);
  }
}

/** One of our paid APIs: its URL and how many times its paid handler ran. */
type Api = { url: string; handlerCalls(): number };

/** A scheme under test: our APIs on one facilitator with the ledger, how a payer signs, what it costs. */
type SchemeUnderTest = {
  /** Two of our servers with separate state (a shared context store aside) on one facilitator. */
  apis(): readonly [Api, Api];
  /** A payer's PAYMENT-SIGNATURE for the offer at `url`, made by our client or BofAI's. */
  sign(client: 'ours' | 'bofai', url: string): Promise<{ header: string; payer: string }>;
  /** Balances now; the returned check asserts one payment of `payer` moved them since. */
  snapshot(payer: string): Promise<() => Promise<void>>;
};

const CASES = [
  { client: 'ours', copies: COPIES },
  { client: 'bofai', copies: BOFAI_COPIES },
  { client: 'bofai', copies: COPIES },
] as const;

/**
 * The grant rule for one scheme: for each client and count, one header sent that many times at once
 * to one server, then spread over two servers with separate state: one 200, one handler run in all,
 * one payment charged; every other copy a 402 naming duplicate_settlement.
 */
function grantRule(scheme: SchemeUnderTest): void {
  for (const { client, copies } of CASES) {
    for (const spread of [1, 2] as const) {
      const label = client === 'ours' ? "our client's" : "BofAI's client's";
      const where = spread === 1 ? 'one server' : 'two servers with separate state';
      it(`${label} header x${copies}, ${where}`, async () => {
        const apis = scheme.apis().slice(0, spread);
        const { header, payer } = await scheme.sign(client, apis[0]?.url ?? assert.fail('no API'));
        const charged = await scheme.snapshot(payer);
        const runs = () => apis.reduce((n, a) => n + a.handlerCalls(), 0);
        const before = runs();
        const outcomes = await Promise.all(
          Array.from({ length: copies }, async (_, i) => {
            const res = await fetch(apis[i % apis.length]?.url ?? '', {
              headers: { 'PAYMENT-SIGNATURE': header },
            });
            const body = await res.text();
            return { status: res.status, body, reason: reasonOf(res, body) };
          }),
        );
        const statuses = outcomes.map((o) => o.status);
        assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
        assert.equal(runs() - before, 1, 'the paid handler ran exactly once');
        for (const o of outcomes.filter((x) => x.status !== 200)) {
          assert.equal(o.status, 402, `${o.status} ${o.body}`);
          assert.match(o.reason, /duplicate_settlement/, `a refused copy says why: ${o.reason} ${o.body}`);
        }
        await charged();
      });
    }
  }
}

/** A ledger-backed engine's hooks, as `createFacilitatorApp` wires them. */
async function ledgerHooks(instanceId: string, ledgers: PaymentLedger[]) {
  const ledger = await createSqliteLedger({ path: ':memory:' });
  ledgers.push(ledger);
  return createLedgerHooks({ ledger, identify: identifyPayment, instanceId });
}

describe('one payment, one grant: exact_permit on BSC (devnet chain 97)', () => {
  const FEE_TO = getAddress('0x000000000000000000000000000000000000fee3');
  const FEE = 100n;
  const PRICE = 10n ** 16n; // $0.01 of an 18-decimal USDT
  let devnet: MultiDevnet;
  let rpcUrl: string;
  let stack: ExactPermitStack;
  let second: ExactPermitApi;
  const ledgers: PaymentLedger[] = [];
  const previousRpc = EVM_RPC_URLS['eip155:97'];
  const balance = (a: string) => readTokenBalance(rpcUrl, BSC_TESTNET_USDT, getAddress(a));

  before(async () => {
    devnet = await startDevnets({ chains: [{ chainId: 97 }], extraPayers: 1 });
    rpcUrl = devnet.getChain(97).rpcUrl;
    // BofAI's signer reads allowances and sends its approve through its built-in RPC map
    EVM_RPC_URLS['eip155:97'] = rpcUrl;
    const contextStore = createMemoryPaymentPermitContextStore();
    stack = await startOurExactPermitStack(devnet, {
      feeTo: FEE_TO,
      fee: FEE,
      hooks: await ledgerHooks('bsc', ledgers),
      contextStore,
    });
    second = await startOurExactPermitApi(devnet, { facilitatorUrl: stack.facilitatorUrl, contextStore });
    // our payer approves PaymentPermit once; BofAI's client sends its own approve the first time
    const key = devnet.accounts.payer.privateKey as Hex;
    const accepted = (await offer(`${stack.serverUrl}/weather`)).accepts[0] ?? assert.fail('no offer');
    await approvePaymentPermit(devnet, key, accepted, 10n ** 20n);
  });

  after(async () => {
    if (previousRpc === undefined) delete EVM_RPC_URLS['eip155:97'];
    else EVM_RPC_URLS['eip155:97'] = previousRpc;
    await second?.close();
    await stack?.close();
    for (const l of ledgers) await l.close();
    await devnet?.stop();
  });

  grantRule({
    apis: () => [
      { url: `${stack.serverUrl}/weather`, handlerCalls: stack.handlerCalls },
      { url: `${second.url}/weather`, handlerCalls: second.handlerCalls },
    ],
    async sign(client, url) {
      if (client === 'ours') {
        const key = devnet.accounts.payer.privateKey as Hex;
        const ours = createExactPermitEvmClient({ signer: privateKeyToAccount(key) });
        return { header: await ourHeader(url, 'eip155:*', ours), payer: devnet.accounts.payer.address };
      }
      const payer = devnetAccount(4); // funded, not approved before this suite
      const signer = new EvmClientSigner(new EvmSigner(hexToBytes(payer.privateKey as Hex)));
      signer.setAddress(payer.address);
      const theirs = new X402Client().register('eip155:*', new ExactPermitEvmClientMechanism(signer));
      return { header: await bofaiHeader(url, theirs), payer: payer.address };
    },
    async snapshot(payer) {
      const payTo = devnet.accounts.payTo.address;
      const [p0, t0, f0] = [await balance(payer), await balance(payTo), await balance(FEE_TO)];
      return async () => {
        assert.equal(await balance(payer), p0 - PRICE - FEE, 'one transfer of amount + fee left the payer');
        assert.equal(await balance(payTo), t0 + PRICE);
        assert.equal(await balance(FEE_TO), f0 + FEE);
      };
    },
  });
});

describe('one payment, one grant on TRON (devnet Nile)', () => {
  const PRICE = 10_000n; // $0.01 of 6-decimal USDT
  const GASFREE_FEE = 100_000n; // the facilitator's floor = the devnet's transferFee
  let devnet: TronDevnet;
  let feeTo: string;
  let facilitator: RunningTron;
  let servers: Array<RunningTron & { handlerCalls: () => number }> = [];
  let proxy: RpcFaultProxy;
  let submitPath = '';
  let gasFreeStack: GasFreeTestStack;
  let gasFreeSecond: RunningTron & { handlerCalls: () => number };
  let nextGasFreePayer = 70;
  const ledgers: PaymentLedger[] = [];
  const usdt = async (a: string) => (await devnet.balances(a)).USDT;
  const gasFree = () => devnet.gasFree ?? assert.fail('no GasFree on the devnet');
  const submits = () => proxy.seen.get(submitPath)?.total ?? 0;
  const pair = (a: Api, b: Api): [Api, Api] => [
    { url: `${a.url}/weather`, handlerCalls: a.handlerCalls },
    { url: `${b.url}/weather`, handlerCalls: b.handlerCalls },
  ];

  before(async () => {
    devnet = await startTronDevnet();
    feeTo = devnet.allAccounts[9]?.address ?? assert.fail('no account 9');
    facilitator = await startOurTronFacilitator(devnet, {
      feeTo,
      hooks: await ledgerHooks('tron-permit', ledgers),
    });
    const contextStore = createMemoryTronContextStore();
    servers = await Promise.all(
      [0, 1].map(() =>
        startOurTronServer({
          facilitatorUrl: facilitator.url,
          payTo: devnet.accounts.payTo.address,
          routes: [{ path: '/weather', price: '$0.01' }],
          server: { contextStore },
        }),
      ),
    );
    // the GasFree API behind a proxy that counts the facilitator's submits
    const base = new URL(gasFree().baseUrl);
    submitPath = `${base.pathname.replace(/\/+$/, '')}/api/v1/gasfree/submit`;
    proxy = await startRpcFaultProxy({ target: base.origin });
    gasFreeStack = await startGasFreeTestStack(devnet, {
      fee: GASFREE_FEE,
      gasFreeBaseUrl: `${proxy.url}${base.pathname}`,
      hooks: await ledgerHooks('tron-gasfree', ledgers),
    });
    gasFreeSecond = await startOurGasFreeApi({
      facilitatorUrl: gasFreeStack.facilitatorUrl,
      payTo: devnet.accounts.payTo.address,
      price: '$0.01',
    });
  });

  after(async () => {
    await gasFreeSecond?.close();
    await gasFreeStack?.close();
    await proxy?.close();
    for (const s of servers) await s.close();
    await facilitator?.close();
    for (const l of ledgers) await l.close();
    await devnet?.stop();
  });

  describe('exact_permit', () => {
    grantRule({
      apis: () => pair(servers[0] ?? assert.fail(), servers[1] ?? assert.fail()),
      async sign(client, url) {
        if (client === 'ours') {
          const payer = devnet.accounts.payer;
          // approves PaymentPermit through the node the first time
          const ours = createExactPermitTronClient({
            signer: payer.privateKey,
            node: { fullHost: devnet.fullHost },
          });
          return { header: await ourHeader(url, 'tron:*', ours), payer: payer.address };
        }
        const payer = devnet.allAccounts[4] ?? assert.fail(); // funded; BofAI approves the first time
        const signer = await createLocalTronClientSigner({
          fullHost: devnet.fullHost,
          privateKey: payer.privateKey,
        });
        const theirs = new X402Client().register('tron:*', new ExactPermitTronClientMechanism(signer));
        return { header: await bofaiHeader(url, theirs), payer: payer.address };
      },
      async snapshot(payer) {
        const payTo = devnet.accounts.payTo.address;
        const [p0, t0, f0] = [await usdt(payer), await usdt(payTo), await usdt(feeTo)];
        return async () => {
          assert.equal(
            await usdt(payer),
            p0 - PRICE - TRON_FEE,
            'one transfer of amount + fee left the payer',
          );
          assert.equal(await usdt(payTo), t0 + PRICE);
          assert.equal(await usdt(feeTo), f0 + TRON_FEE);
        };
      },
    });
  });

  describe('exact_gasfree', () => {
    grantRule({
      apis: () =>
        pair({ url: gasFreeStack.serverUrl, handlerCalls: gasFreeStack.handlerCalls }, gasFreeSecond),
      async sign(client, url) {
        // a fresh account (outside the well-known ten) with USDT in its GasFree account
        const payer = tronDevnetAccount(nextGasFreePayer++);
        await gasFree().fund(payer.address, 5_000_000n);
        if (client === 'ours') {
          const ours = createExactGasFreeClient({
            signer: privateKeyToAccount(`0x${payer.privateKey}`),
            apis: { 'tron:nile': { baseUrl: gasFree().baseUrl } },
            node: { 'tron:nile': { url: devnet.fullHost } },
          });
          return { header: await ourHeader(url, 'tron:*', ours), payer: payer.address };
        }
        const signer = await createLocalTronClientSigner({
          fullHost: devnet.fullHost,
          privateKey: payer.privateKey,
        });
        const mechanism = new ExactGasFreeClientMechanism(signer, {
          'tron:nile': new GasFreeAPIClient(gasFree().baseUrl),
        });
        const theirs = new X402Client().register('tron:*', mechanism);
        return { header: await bofaiHeader(url, theirs), payer: payer.address };
      },
      async snapshot(user) {
        const g = gasFree();
        const account = g.gasFreeAddressOf(user);
        const provider = g.providers[0] ?? assert.fail('no provider');
        const payTo = devnet.accounts.payTo.address;
        const [a0, t0, p0, s0] = [await usdt(account), await usdt(payTo), await usdt(provider), submits()];
        return async () => {
          await g.service.idle();
          // a fresh account pays its activation with its first transfer
          const fee = g.token.activateFee + g.token.transferFee;
          assert.equal(submits() - s0, 1, 'the GasFree API saw one submit');
          assert.equal(await usdt(account), a0 - PRICE - fee, 'one transfer of amount + fee left the payer');
          assert.equal(await usdt(payTo), t0 + PRICE);
          assert.equal(await usdt(provider), p0 + fee);
        };
      },
    });
  });
});
