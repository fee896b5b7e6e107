/**
 * `exact_permit` on TRON end to end on the TRON devnet (anvil at Nile's chain id behind a local TRON
 * node): our paying fetch -> our Express middleware -> our facilitator service over HTTP -> PaymentPermit
 * at Nile's address, settled through the node. Bad input ends in its reason code, never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  decodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  type PaymentPayload,
  type PaymentRequired,
  Reasons,
} from '@x402kit/core';
import { startTronDevnet, type TronDevnet, type TronDevnetAccount } from '@x402kit/devnet';
import { getPaymentResponse } from '@x402kit/http';
import {
  devnetNode,
  ourTronFetch,
  type RunningTron,
  startLyingTronNode,
  startOurTronFacilitator,
  startOurTronServer,
  TRON_FEE,
} from '@x402kit/testing/tron';
import { readTrc20Allowance, type TronNodeClient } from '@x402kit/tron';
import {
  type PaymentPermitWire,
  prepareExactPermitTronApproval,
  ExactPermitTronReasons as R,
  readPaymentPermitContext,
  sendExactPermitTronApproval,
  signExactPermitTron,
} from '@x402kit/tron/exact-permit';

const PRICE = 10_000n; // $0.01 of 6-decimal USDT
const BAD_CHECKSUM = 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U'; // the famous typo: fails Base58Check

let devnet: TronDevnet;
let node: TronNodeClient;
let facilitator: RunningTron;
let facilitatorUrl: string;
let server: RunningTron;
let feeTo: string;
let usdt: string;
const closers: Array<() => Promise<void>> = [];

const usdtOf = async (address: string) => (await devnet.balances(address)).USDT;

async function offer(path = '/weather'): Promise<PaymentRequired> {
  const res = await fetch(`${server.url}${path}`);
  assert.equal(res.status, 402);
  const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  if (pr.x402Version !== 2) throw new Error('expected x402 v2');
  return pr;
}

async function signed(
  pr: PaymentRequired,
  opts: {
    account?: TronDevnetAccount;
    edit?: (p: PaymentPermitWire) => PaymentPermitWire;
    signingNetwork?: string;
  } = {},
): Promise<PaymentPayload> {
  const accepted = pr.accepts[0] ?? assert.fail('no offer');
  const payload = await signExactPermitTron(
    (opts.account ?? devnet.accounts.payer).privateKey,
    accepted,
    pr.extensions,
    {
      ...(opts.edit ? { editPermit: opts.edit } : {}),
      ...(opts.signingNetwork ? { signingNetwork: opts.signingNetwork } : {}),
    },
  );
  return { x402Version: 2, resource: pr.resource, accepted, payload: { ...payload } };
}

async function expectRefused(payload: PaymentPayload, reason: string, path = '/weather'): Promise<void> {
  const res = await fetch(`${server.url}${path}`, {
    headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
  });
  assert.equal(res.status, 402, `expected 402, got ${res.status}: ${await res.clone().text()}`);
  assert.equal(decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '').error, reason);
}

async function post(path: string, body: unknown, base = facilitatorUrl): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('exact_permit on TRON end to end (devnet Nile)', () => {
  before(async () => {
    devnet = await startTronDevnet({ solidityLag: 1000 });
    node = devnetNode(devnet);
    usdt = devnet.assets.USDT.address;
    feeTo = devnet.allAccounts[9]?.address ?? assert.fail('no account 9');
    facilitator = await startOurTronFacilitator(devnet, { feeTo });
    facilitatorUrl = facilitator.url;
    server = await startOurTronServer({
      facilitatorUrl,
      payTo: devnet.accounts.payTo.address,
      routes: [
        { path: '/weather', price: '$0.01' },
        { path: '/expensive', price: '5000 USDT' },
        { path: '/decimal', price: '0.01 USDT', network: 'tron:3448148188' },
      ],
    });
    closers.push(server.close, facilitator.close);
  });

  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    const unknown = devnet ? [...devnet.node.unknownPaths] : [];
    await devnet?.stop();
    assert.deepEqual(unknown, [], `paths the local node does not implement: ${unknown.join(', ')}`);
  });

  it('advertises caller and fees in /supported and answers /fee/quote with Base58 addresses', async () => {
    const supported = (await (await fetch(`${facilitatorUrl}/supported`)).json()) as {
      kinds: Array<{ scheme: string; network: string; extra?: Record<string, unknown> }>;
    };
    const kinds = supported.kinds.filter((k) => k.scheme === 'exact_permit');
    assert.deepEqual(
      kinds.map((k) => k.network),
      ['tron:nile'],
    );
    const caller = devnet.accounts.facilitator.address;
    assert.deepEqual(kinds[0]?.extra, {
      caller,
      feeTo,
      pricing: 'flat',
      fees: { [usdt]: { feeTo, feeAmount: '100' } },
    });
    const pr = await offer();
    const quotes = (await post('/fee/quote', { accepts: pr.accepts })) as unknown as Array<
      Record<string, unknown>
    >;
    assert.equal(quotes.length, 1);
    assert.deepEqual(quotes[0]?.fee, { feeTo, feeAmount: '100', caller });
  });

  it('offers USDT in Base58 with extra.fee and a fresh paymentPermitContext', async () => {
    const pr = await offer();
    assert.deepEqual(pr.accepts[0], {
      scheme: 'exact_permit',
      network: 'tron:nile',
      amount: PRICE.toString(),
      asset: usdt,
      payTo: devnet.accounts.payTo.address,
      maxTimeoutSeconds: 300,
      extra: {
        name: 'Tether USD',
        version: '1',
        fee: { feeTo, feeAmount: '100', caller: devnet.accounts.facilitator.address },
      },
    });
    assert.equal(readPaymentPermitContext(pr.extensions).meta.kind, 'PAYMENT_ONLY');
    assert.notDeepEqual((await offer()).extensions, pr.extensions);
    // a route configured as tron:3448148188 is offered as tron:nile
    assert.equal((await offer('/decimal')).accepts[0]?.network, 'tron:nile');
  });

  it('refuses a payer that has not approved PaymentPermit', async () => {
    const stranger = devnet.allAccounts[4] ?? assert.fail();
    await expectRefused(await signed(await offer(), { account: stranger }), R.insufficientAllowance);
  });

  it('pays after a standalone approval: payer -(amount+fee), payTo +amount, feeTo +fee, txid on the node', async () => {
    const payer = devnet.accounts.payer;
    const approval = await prepareExactPermitTronApproval({
      node,
      owner: payer.address,
      requirements: (await offer()).accepts[0] ?? assert.fail(),
      amount: 'unlimited',
    });
    assert.ok(approval, 'the fresh payer needs an approval');
    await sendExactPermitTronApproval({ node, approval, privateKey: payer.privateKey });
    const payTo = devnet.accounts.payTo.address;
    const [p0, t0, f0] = [await usdtOf(payer.address), await usdtOf(payTo), await usdtOf(feeTo)];
    const res = await ourTronFetch({ signer: payer.privateKey, approve: 'never' })(`${server.url}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { paid: '/weather' });
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success);
    assert.match(receipt.transaction, /^[0-9a-f]{64}$/);
    assert.equal(receipt.network, 'tron:nile');
    assert.equal(receipt.payer, payer.address);
    assert.equal(await usdtOf(payer.address), p0 - PRICE - TRON_FEE);
    assert.equal(await usdtOf(payTo), t0 + PRICE);
    assert.equal(await usdtOf(feeTo), f0 + TRON_FEE);
    const info = await node.getTransactionInfoById(receipt.transaction);
    assert.equal(info?.receipt?.result, 'SUCCESS');
    assert.ok(await node.getTransactionById(receipt.transaction), 'the node knows the transaction');
  });

  it("approves by itself with approve: 'auto', then pays", async () => {
    const payer = devnet.allAccounts[5] ?? assert.fail();
    const approvals: string[] = [];
    const p0 = await usdtOf(payer.address);
    const res = await ourTronFetch({
      signer: payer.privateKey,
      node: { fullHost: devnet.fullHost },
      onApproval: (txid) => approvals.push(txid),
    })(`${server.url}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(approvals.length, 1);
    assert.match(approvals[0] ?? '', /^[0-9a-f]{64}$/);
    assert.equal(await usdtOf(payer.address), p0 - PRICE - TRON_FEE);
    const allowance = await readTrc20Allowance(node, {
      token: usdt,
      owner: payer.address,
      spender: devnet.contracts.paymentPermit,
    });
    assert.ok(allowance > 10n ** 60n, `unlimited approval, got ${allowance}`);
    // enough allowance now: no second approve
    const again = await ourTronFetch({
      signer: payer.privateKey,
      node: { fullHost: devnet.fullHost },
      onApproval: (t) => approvals.push(t),
    })(`${server.url}/weather`);
    assert.equal(again.status, 200);
    assert.equal(approvals.length, 1);
  });

  it('refuses a replayed nonce', async () => {
    const payload = await signed(await offer());
    const header = encodePaymentSignatureHeader(payload);
    const first = await fetch(`${server.url}/weather`, { headers: { 'PAYMENT-SIGNATURE': header } });
    assert.equal(first.status, 200, await first.clone().text());
    // the server refuses a copy of a payment it granted itself; the facilitator's own check is the chain's nonce
    await expectRefused(payload, 'duplicate_settlement');
    const answer = await post('/verify', {
      x402Version: 2,
      paymentPayload: payload,
      paymentRequirements: payload.accepted,
    });
    assert.equal(answer.isValid, false);
    assert.equal(answer.invalidReason, R.nonceAlreadyUsed);
  });

  it('refuses a caller that is not the facilitator', async () => {
    await expectRefused(
      await signed(await offer(), { edit: (p) => ({ ...p, caller: devnet.accounts.payer.address }) }),
      R.callerMismatch,
    );
  });

  it('refuses a fee below the quote', async () => {
    await expectRefused(
      await signed(await offer(), { edit: (p) => ({ ...p, fee: { ...p.fee, feeAmount: '99' } }) }),
      R.feeAmountMismatch,
    );
  });

  it('refuses an expired permit', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(
      await signed(await offer(), { edit: (p) => ({ ...p, meta: { ...p.meta, validBefore: now - 10 } }) }),
      R.expired,
    );
  });

  it('refuses Base58 checksum errors in payTo and buyer', async () => {
    const pr = await offer();
    const good = await signed(pr);
    const permit = good.payload.paymentPermit as PaymentPermitWire;
    await expectRefused(
      {
        ...good,
        payload: {
          ...good.payload,
          paymentPermit: { ...permit, payment: { ...permit.payment, payTo: BAD_CHECKSUM } },
        },
      },
      R.addressChecksum,
    );
    await expectRefused(
      { ...good, payload: { ...good.payload, paymentPermit: { ...permit, buyer: BAD_CHECKSUM } } },
      R.addressChecksum,
    );
    const verdict = await post('/verify', {
      paymentPayload: good,
      paymentRequirements: { ...good.accepted, payTo: BAD_CHECKSUM },
    });
    assert.equal(verdict.invalidReason, R.addressChecksum);
  });

  it('refuses a signature made for tron:mainnet presented on nile', async () => {
    await expectRefused(await signed(await offer(), { signingNetwork: 'tron:mainnet' }), R.signature);
  });

  it('refuses when the balance is short of amount + fee', async () => {
    await expectRefused(await signed(await offer('/expensive')), R.insufficientBalance, '/expensive');
  });

  it('verifies requirements written as tron:0xcd8690dc and tron:3448148188 as nile; refuses mainnet', async () => {
    const payload = await signed(await offer());
    for (const network of ['tron:0xcd8690dc', 'tron:3448148188', 'tron:0xCD8690DC']) {
      const accepted = { ...payload.accepted, network };
      const verdict = await post('/verify', {
        paymentPayload: { ...payload, accepted },
        paymentRequirements: accepted,
      });
      assert.equal(verdict.isValid, true, `${network}: ${JSON.stringify(verdict)}`);
      assert.equal(verdict.payer, devnet.accounts.payer.address);
    }
    const mainnet = { ...payload.accepted, network: 'tron:mainnet' };
    const verdict = await post('/verify', {
      paymentPayload: { ...payload, accepted: mainnet },
      paymentRequirements: mainnet,
    });
    assert.equal(verdict.invalidReason, R.networkMismatch);
  });

  it('refuses to sign what a lying node built (other contract, other calldata); nothing is broadcast', async () => {
    for (const mode of ['contract', 'data'] as const) {
      const liar = await startLyingTronNode(devnet.fullHost, {
        mode,
        token: usdt,
        thief: devnet.allAccounts[8]?.address ?? assert.fail(),
      });
      const lied = await startOurTronFacilitator(devnet, { feeTo, fullHost: liar.url });
      try {
        const pr = await offer();
        const payload = await signed(pr);
        const p0 = await usdtOf(devnet.accounts.payer.address);
        const result = await post(
          '/settle',
          { paymentPayload: payload, paymentRequirements: payload.accepted },
          lied.url,
        );
        assert.equal(result.success, false);
        assert.equal(
          result.errorReason,
          mode === 'contract' ? 'tron_tx_contract_mismatch' : 'tron_tx_data_mismatch',
        );
        assert.equal(result.transaction, '');
        assert.equal(liar.lies(), 1);
        assert.equal(await usdtOf(devnet.accounts.payer.address), p0);
      } finally {
        await lied.close();
        await liar.close();
      }
    }
  });

  it('reports the txid to onBroadcast, shares one transaction between concurrent settles', async () => {
    const { permit } = await startOurTronFacilitator(devnet, { feeTo }).then((f) => {
      closers.push(f.close);
      return f;
    });
    const pr = await offer();
    const payload = await signed(pr);
    const broadcasts: string[] = [];
    const p0 = await usdtOf(devnet.accounts.payer.address);
    const ctx = { x402Version: 2 as const, onBroadcast: (txid: string) => void broadcasts.push(txid) };
    const [a, b] = await Promise.all([
      permit.settle(payload, payload.accepted, ctx),
      permit.settle(payload, payload.accepted, ctx),
    ]);
    assert.ok(a.success, JSON.stringify(a));
    assert.deepEqual(b, a);
    assert.deepEqual(broadcasts, [a.transaction]);
    assert.equal(await usdtOf(devnet.accounts.payer.address), p0 - PRICE - TRON_FEE);
  });

  it('answers settlement_pending with the txid when the (solidified) receipt is late, and never rebroadcasts', async () => {
    const slow = await startOurTronFacilitator(devnet, {
      feeTo,
      tuning: { solidified: true, receiptTimeoutMs: 300 },
    });
    closers.push(slow.close);
    const payload = await signed(await offer());
    const first = await slow.permit.settle(payload, payload.accepted, { x402Version: 2 });
    assert.equal(first.success, false);
    assert.equal(first.errorReason, Reasons.settlementPending);
    assert.match(first.transaction, /^[0-9a-f]{64}$/);
    // the transaction is in the head block already (solidification lags 1000 blocks on this devnet)
    assert.equal((await node.getTransactionInfoById(first.transaction))?.receipt?.result, 'SUCCESS');
    const second = await slow.permit.settle(payload, payload.accepted, { x402Version: 2 });
    assert.equal(second.errorReason, Reasons.settlementPending);
    assert.equal(second.transaction, first.transaction, 'the same transaction, not a second broadcast');
  });
});
