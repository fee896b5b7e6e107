/**
 * The TRON chain module against the offline TRON devnet (anvil at Nile's chain id behind a local
 * TRON node, PaymentPermit at Nile's address): started from its config section with the
 * deployment's key, it serves `exact_permit`, probes and reads its nodes, and reconciles a real
 * settled payment from the transaction the ledger recorded.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type ChainLogEvent,
  type ChainRuntime,
  createFacilitator,
  type Facilitator,
  type FacilitatorCall,
  type PaymentPayload,
  type PaymentRequirements,
  SettleResponse,
  type StoredPayment,
} from '@x402kit/core';
import { createDevnetClient, devnetChain, startTronDevnet, type TronDevnet } from '@x402kit/devnet';
import { prepareExactPermitTronApproval, sendExactPermitTronApproval } from '../exact-permit/approval.js';
import { signExactPermitTron } from '../exact-permit/client.js';
import { readExactPermitTronPayload } from '../exact-permit/permit-wire.js';
import { createExactPermitTronServer } from '../exact-permit/server.js';
import { createTronNodeClient } from '../node-client.js';
import { createTronReceiptReconciler } from './reconcile-tron-receipt.js';
import { tronChain } from './tron-chain.js';

const FEE = 100n;

/** A local port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

let devnet: TronDevnet;
let runtime: ChainRuntime;
let facilitator: Facilitator;
let deadHost: string;
const logged: ChainLogEvent[] = [];

/** A fresh `exact_permit` payment of $0.01 to the devnet's payee, signed by its payer. */
async function signedPayment(): Promise<{ payload: PaymentPayload; requirements: PaymentRequirements }> {
  const server = createExactPermitTronServer();
  const { kinds } = await facilitator.supported();
  const supportedKind = kinds.find((k) => k.scheme === 'exact_permit' && k.network === 'tron:nile');
  assert.ok(supportedKind, JSON.stringify(kinds));
  const price = await server.parsePrice('$0.01', 'tron:nile');
  const offer: PaymentRequirements = {
    scheme: 'exact_permit',
    network: 'tron:nile',
    amount: price.amount.toString(),
    asset: price.asset,
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 300,
    ...(price.extra ? { extra: price.extra } : {}),
  };
  const requirements =
    server.enhanceRequirements?.(offer, { supportedKind, facilitatorExtensions: [] }) ?? offer;
  const extensions = server.paymentRequiredExtensions?.([requirements], {
    resource: { url: 'http://x/weather' },
  });
  const signed = await signExactPermitTron(devnet.accounts.payer.privateKey, requirements, extensions);
  return {
    requirements,
    payload: {
      x402Version: 2,
      resource: { url: 'http://x/weather' },
      accepted: requirements,
      payload: { ...signed },
    },
  };
}

/** The call the engine hands the ledger's hooks for `payment`. */
function callOf(payment: StoredPayment): FacilitatorCall {
  const scheme = runtime.registrations[0]?.facilitator ?? assert.fail('no registration');
  return { x402Version: 2, payload: payment.payload, requirements: payment.requirements, scheme };
}

describe('tronChain', () => {
  before(async () => {
    devnet = await startTronDevnet({ gasFree: false });
    deadHost = `http://127.0.0.1:${await deadPort()}`;
    const tron = tronChain.sections.tron.parse({
      networks: {
        'tron:nile': { fullHost: devnet.fullHost, paymentPermitAddress: devnet.contracts.paymentPermit },
        // configured but down: probed and read as failing, never served
        'tron:shasta': { fullHost: deadHost },
      },
      fees: { 'tron:3448148188': { [devnet.assets.USDT.address]: { amount: FEE.toString() } } },
      receiptTimeoutMs: 20_000,
    });
    assert.equal(tronChain.configured({ tron }), true);
    runtime = await tronChain.start({
      sections: { tron },
      privateKeys: [`0x${devnet.accounts.facilitator.privateKey}`],
      settlement: {},
      openSponsorBudget: () => Promise.reject(new Error('TRON sponsors nothing')),
      log: (event) => logged.push(event),
    });
    await runtime.ready?.();
    facilitator = createFacilitator({ schemes: runtime.registrations });
    const node = createTronNodeClient({ url: devnet.fullHost });
    const { requirements } = await signedPayment();
    const approval = await prepareExactPermitTronApproval({
      node,
      owner: devnet.accounts.payer.address,
      requirements,
      paymentPermitAddress: devnet.contracts.paymentPermit,
      amount: 'unlimited',
    });
    if (approval)
      await sendExactPermitTronApproval({ node, approval, privateKey: devnet.accounts.payer.privateKey });
  });

  after(async () => {
    runtime?.close();
    await devnet?.stop();
  });

  it('is the tron family, configured by a tron section, with SUN balances and the shared keys', () => {
    assert.equal(tronChain.family, 'tron');
    assert.equal(tronChain.balanceUnit, 'Sun');
    assert.equal(tronChain.needsPrivateKeys, true);
    assert.equal(tronChain.configured({}), false);
    assert.deepEqual(runtime.settlementAddresses, [devnet.accounts.facilitator.address]);
  });

  it('serves exact_permit on the configured network with a fee, and quotes it', async () => {
    const { kinds } = await facilitator.supported();
    assert.deepEqual(
      kinds.map((k) => `${k.scheme} ${k.network} v${k.x402Version}`),
      ['exact_permit tron:nile v2'],
    );
    const quote = runtime.quoteFee?.({
      scheme: 'exact_permit',
      network: 'tron:nile',
      asset: devnet.assets.USDT.address,
    });
    assert.equal(quote?.feeAmount, FEE.toString());
    assert.equal(quote?.feeTo, devnet.accounts.facilitator.address);
    assert.equal(
      runtime.quoteFee?.({ scheme: 'exact', network: 'tron:nile', asset: devnet.assets.USDT.address }),
      undefined,
    );
  });

  it('probes every configured node: ok for the live one, an error for a dead port', async () => {
    const report = await runtime.probe(2000);
    assert.equal(report['tron:nile'], 'ok');
    assert.match(report['tron:shasta'] ?? '', /^error: /);
  });

  it("reads the key's TRX in SUN; a network that fails is logged and skipped", async () => {
    const expected = (await devnet.balances(devnet.accounts.facilitator.address)).TRX;
    assert.ok(expected > 0n);
    const readings = await runtime.readBalances(2000);
    assert.deepEqual(readings, [
      { network: 'tron:nile', address: devnet.accounts.facilitator.address, balance: expected, nonceLag: 0 },
    ]);
    const warning = logged.find((e) => e.data?.network === 'tron:shasta');
    assert.equal(warning?.level, 'warn');
    assert.equal(warning?.message, 'relayer monitor: cannot read relayer balances');
  });

  it('reconciles a settled payment from its recorded transaction; a hash that never landed stays unknown', async () => {
    const payment: StoredPayment = { x402Version: 2, ...(await signedPayment()) };
    const key = tronChain.identify(callOf(payment)) ?? assert.fail('not identified');
    assert.equal(key.network, 'tron:nile');
    assert.match(key.nonce, /^paymentpermit:\d+$/);
    assert.equal(key.payer, tronChain.ledgerAddress(devnet.accounts.payer.address));
    const settled = SettleResponse.parse(await facilitator.settle(payment.payload, payment.requirements));
    assert.equal(settled.success, true, JSON.stringify(settled));

    const reconcile = runtime.reconcile ?? assert.fail('no reconciler');
    assert.deepEqual(await reconcile(payment, { key, transaction: settled.transaction }), {
      success: true,
      transaction: settled.transaction,
      network: 'tron:nile',
      payer: devnet.accounts.payer.address,
    });
    // the nonce is used, but nothing the ledger recorded proves where the money went
    assert.equal(await reconcile(payment, { key, transaction: 'e'.repeat(64) }), undefined);
    // the receipt alone says SUCCESS for the recorded transaction of any TRON scheme
    const byReceipt = createTronReceiptReconciler({ 'tron:nile': { fullHost: devnet.fullHost } });
    assert.deepEqual(await byReceipt(payment, { key, transaction: `0x${settled.transaction}` }), {
      success: true,
      transaction: settled.transaction,
      network: 'tron:nile',
      payer: key.payer,
    });
    const evm: StoredPayment = {
      ...payment,
      requirements: { ...payment.requirements, network: 'eip155:84532' },
    };
    assert.equal(await reconcile(evm, { key, transaction: settled.transaction }), undefined);
  });

  it('fails a permit never used once validBefore passed by the chain clock (runs last: it moves the clock)', async () => {
    const payment: StoredPayment = { x402Version: 2, ...(await signedPayment()) };
    const key = tronChain.identify(callOf(payment)) ?? assert.fail('not identified');
    const reconcile = runtime.reconcile ?? assert.fail('no reconciler');
    const never = 'e'.repeat(64);
    assert.equal(await reconcile(payment, { key, transaction: never }), undefined, 'it may still settle');
    const read = readExactPermitTronPayload(payment.payload.payload);
    assert.ok(read.ok);
    const anvil = createDevnetClient(devnetChain({ chainId: devnet.chainId, rpcUrl: devnet.rpcUrl }));
    const now = BigInt(Math.floor(Date.now() / 1000));
    await anvil.increaseTime({ seconds: Number(read.permit.meta.validBefore - now) + 60 });
    await anvil.mine({ blocks: 1 });
    const answer = await reconcile(payment, { key, transaction: never });
    assert.equal(answer?.success, false);
    assert.equal(answer?.errorReason, 'invalid_exact_permit_expired');
    assert.match(answer?.errorMessage ?? '', /expired unsettled \(validBefore \d+, block \d+ at \d+\)/);
    assert.equal(answer?.transaction, never);
    assert.equal(answer?.payer, devnet.accounts.payer.address);
  });
});
