/**
 * `exact_gasfree` end to end on the TRON devnet (anvil at Nile's chain id + local TRON node + our
 * GasFreeController at Nile's address + the local GasFree API): our client -> our Express API -> our
 * facilitator service -> GasFree service -> chain. Every refusal ends in its reason code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createX402Client,
  decodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  type PaymentPayload,
  type PaymentRequired,
} from '@x402kit/core';
import { startGasFreeService, startTronDevnet, type TronDevnet, tronDevnetAccount } from '@x402kit/devnet';
import { getPaymentResponse, wrapFetchWithPayment } from '@x402kit/http';
import { type GasFreeTestStack, startGasFreeTestStack } from '@x402kit/testing/tron';
import { toEvmHex, toTronAddress } from '@x402kit/tron';
import {
  createExactGasFreeClient,
  createExactGasFreeFacilitator,
  createGasFreeApiClient,
  type ExactGasFreePermit,
  ExactGasFreeReasons,
  GASFREE_NETWORKS,
  gasFreeTypedData,
  toExactGasFreeG1,
  toExactGasFreeG2,
} from '@x402kit/tron/gasfree';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const PRICE = 10_000n; // $0.01 of 6-decimal USDT
const FEE = 100_000n; // the facilitator's floor = the devnet's transferFee
let devnet: TronDevnet;
let stack: GasFreeTestStack;
let nextIndex = 40;

const key = (index: number): Hex => `0x${tronDevnetAccount(index).privateKey}`;
const gasFree = () => devnet.gasFree ?? assert.fail('no GasFree on the devnet');

/** A fresh account (outside the well-known ten) with `amount` USDT in its GasFree account. */
async function freshPayer(amount = 5_000_000n) {
  const account = tronDevnetAccount(nextIndex++);
  if (amount > 0n) await gasFree().fund(account.address, amount);
  return account;
}

async function offer(): Promise<PaymentRequired> {
  const res = await fetch(`${stack.serverUrl}/weather`);
  assert.equal(res.status, 402);
  const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  if (pr.x402Version !== 2) throw new Error('expected x402 v2');
  return pr;
}

function payingFetch(index: number) {
  const client = createX402Client({
    schemes: [
      {
        network: 'tron:*',
        client: createExactGasFreeClient({
          signer: privateKeyToAccount(key(index)),
          apis: { 'tron:nile': { baseUrl: gasFree().baseUrl } },
          node: { 'tron:nile': { url: devnet.fullHost } },
        }),
      },
    ],
  });
  return wrapFetchWithPayment(fetch, client);
}

/** A hand-made permit for `index`, edited, signed (by `signWith` on `chainId`), in the G1 or G2 wire. */
async function crafted(
  pr: PaymentRequired,
  index: number,
  edit: (p: ExactGasFreePermit) => ExactGasFreePermit = (p) => p,
  opts: { signWith?: number; chainId?: number; wire?: 'g1' | 'g2' } = {},
): Promise<PaymentPayload> {
  const accepted = pr.accepts[0] ?? assert.fail('no offer');
  const api = createGasFreeApiClient({ baseUrl: gasFree().baseUrl });
  const user = tronDevnetAccount(index).address;
  const info = await api.getAddressInfo(user);
  const permit = edit({
    token: accepted.asset,
    serviceProvider: gasFree().providers[0] ?? assert.fail('no provider'),
    user,
    receiver: accepted.payTo,
    value: BigInt(accepted.amount),
    maxFee: FEE + (info.active ? 0n : gasFree().token.activateFee),
    deadline: BigInt(Math.floor(Date.now() / 1000) + accepted.maxTimeoutSeconds),
    version: 1n,
    nonce: BigInt(info.nonce),
  });
  const signature = await privateKeyToAccount(key(opts.signWith ?? index)).signTypedData(
    gasFreeTypedData({ chainId: opts.chainId ?? devnet.chainId, controller: gasFree().controller, permit }),
  );
  const wire = (opts.wire === 'g2' ? toExactGasFreeG2 : toExactGasFreeG1)(
    permit,
    signature,
    info.gasFreeAddress,
  );
  return { x402Version: 2, resource: pr.resource, accepted, ...wire };
}

async function expectRefused(payload: PaymentPayload, reason: string): Promise<void> {
  const res = await fetch(`${stack.serverUrl}/weather`, {
    headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
  });
  assert.equal(res.status, 402, `expected 402, got ${res.status}: ${await res.clone().text()}`);
  assert.equal(decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '').error, reason);
}

const usdt = async (address: string) => (await devnet.balances(address)).USDT;

describe('exact_gasfree end to end on the TRON devnet', () => {
  before(async () => {
    devnet = await startTronDevnet();
    stack = await startGasFreeTestStack(devnet, { fee: FEE });
  });
  after(async () => {
    await stack?.close();
    await devnet?.stop();
  });

  it('hosts GasFree on the same chain: Nile controller, providers, describe()', () => {
    const g = gasFree();
    assert.equal(g.controller, GASFREE_NETWORKS.nile.controller);
    assert.deepEqual(devnet.describe().gasFree, {
      baseUrl: g.baseUrl,
      providers: [...g.providers],
      controller: g.controller,
    });
  });

  it('advertises providers and fees in /supported, quotes the provider in /fee/quote and extra.fee', async () => {
    const provider = gasFree().providers[0];
    const supported = (await (await fetch(`${stack.facilitatorUrl}/supported`)).json()) as {
      kinds: Array<{ scheme: string; network: string; extra?: Record<string, unknown> }>;
    };
    const kind = supported.kinds.find((k) => k.scheme === 'exact_gasfree');
    assert.equal(kind?.network, 'tron:nile');
    assert.deepEqual(kind?.extra?.providers, [provider]);
    const pr = await offer();
    const accepted = pr.accepts[0];
    assert.equal(accepted?.asset, devnet.assets.USDT.address);
    assert.equal(accepted?.amount, PRICE.toString());
    assert.deepEqual(accepted?.extra?.fee, { feeTo: provider, feeAmount: FEE.toString(), caller: provider });
    assert.ok(pr.extensions?.paymentPermitContext);
    const quote = await fetch(`${stack.facilitatorUrl}/fee/quote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accepts: pr.accepts }),
    });
    const quotes = (await quote.json()) as Array<{ fee: unknown }>;
    assert.deepEqual(quotes[0]?.fee, { feeTo: provider, feeAmount: FEE.toString(), caller: provider });
  });

  it('pays from the GasFree account: receiver gets value, provider the fee (+activateFee the first time), main wallet untouched', async () => {
    const payer = tronDevnetAccount(6); // a well-known account: its main wallet holds USDT and TRX
    await gasFree().fund(payer.address, 5_000_000n);
    const provider = gasFree().providers[0] ?? '';
    const account = gasFree().gasFreeAddressOf(payer.address);
    const payTo = devnet.accounts.payTo.address;
    const main0 = await devnet.balances(payer.address);
    const [t0, p0, a0] = [await usdt(payTo), await usdt(provider), await usdt(account)];
    const pay = payingFetch(6);
    const res = await pay(`${stack.serverUrl}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { weather: 'sunny' });
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success);
    assert.match(receipt.transaction, /^[0-9a-f]{64}$/);
    const firstFee = gasFree().token.activateFee + gasFree().token.transferFee;
    assert.equal(await usdt(payTo), t0 + PRICE);
    assert.equal(await usdt(provider), p0 + firstFee);
    assert.equal(await usdt(account), a0 - PRICE - firstFee);
    assert.deepEqual(await devnet.balances(payer.address), main0);
    // now active: only the transfer fee
    const again = await pay(`${stack.serverUrl}/weather`);
    assert.equal(again.status, 200, await again.clone().text());
    assert.equal(await usdt(provider), p0 + firstFee + gasFree().token.transferFee);
    assert.deepEqual(await devnet.balances(payer.address), main0);
  });

  it('accepts the G2 wire too', async () => {
    const payer = await freshPayer();
    const res = await fetch(`${stack.serverUrl}/weather`, {
      headers: {
        'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(
          await crafted(await offer(), payer.index, undefined, { wire: 'g2' }),
        ),
      },
    });
    assert.equal(res.status, 200, await res.clone().text());
  });

  it('refuses a deadline past the offer: maxTimeoutSeconds + 30 s (invalid_exact_gasfree_deadline_too_far)', async () => {
    const payer = await freshPayer();
    const pr = await offer();
    const accepted = pr.accepts[0] ?? assert.fail('no offer');
    assert.equal(accepted.maxTimeoutSeconds, 300);
    const now = BigInt(Math.floor(Date.now() / 1000));
    // within the provider's 3600 s, but an hour is not what a 300 s offer allows
    await expectRefused(
      await crafted(pr, payer.index, (p) => ({ ...p, deadline: now + 3000n })),
      ExactGasFreeReasons.deadlineTooFar,
    );
    await expectRefused(
      await crafted(pr, payer.index, (p) => ({ ...p, deadline: now + 340n })),
      ExactGasFreeReasons.deadlineTooFar,
    );
    // the context's window is the offer's: our client signs it and pays
    const context = pr.extensions?.paymentPermitContext as { meta: { validBefore: number } } | undefined;
    assert.ok(context && context.meta.validBefore <= Number(now) + 300 + 1);
    const res = await payingFetch(payer.index)(`${stack.serverUrl}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
  });

  it('refuses: fee too low, expired, too-short deadline, wrong provider, bad signature, wrong chain id, low balance', async () => {
    const payer = await freshPayer();
    const pr = await offer();
    const now = BigInt(Math.floor(Date.now() / 1000));
    await expectRefused(
      await crafted(pr, payer.index, (p) => ({ ...p, maxFee: FEE - 1n })),
      ExactGasFreeReasons.feeAmountMismatch,
    );
    await expectRefused(
      await crafted(pr, payer.index, (p) => ({ ...p, deadline: now - 10n })),
      ExactGasFreeReasons.expired,
    );
    await expectRefused(
      await crafted(pr, payer.index, (p) => ({ ...p, deadline: now + 20n })),
      ExactGasFreeReasons.deadlineTooShort,
    );
    await expectRefused(
      await crafted(pr, payer.index, (p) => ({ ...p, serviceProvider: tronDevnetAccount(8).address })),
      ExactGasFreeReasons.feeToMismatch,
    );
    await expectRefused(
      await crafted(pr, payer.index, undefined, { signWith: 9 }),
      ExactGasFreeReasons.invalidSignature,
    );
    await expectRefused(
      await crafted(pr, payer.index, undefined, { chainId: GASFREE_NETWORKS.mainnet.chainId }),
      ExactGasFreeReasons.invalidSignature,
    );
    await expectRefused(
      await crafted(pr, payer.index, (p) => ({ ...p, nonce: p.nonce + 1n })),
      ExactGasFreeReasons.nonceMismatch,
    );
    const poor = await freshPayer(PRICE);
    await expectRefused(await crafted(pr, poor.index), ExactGasFreeReasons.insufficientBalance);
    // our client refuses to sign for it in the first place
    await assert.rejects(
      payingFetch(poor.index)(`${stack.serverUrl}/weather`),
      /gasfree_insufficient_balance|holds/,
    );
  });

  it('refuses an inactive account that may not submit (gasfree_account_inactive)', async () => {
    const g = gasFree();
    // a second real GasFree service on the same chain whose provider takes no pending transfer at all
    const strict = await startGasFreeService({
      rpcUrl: devnet.rpcUrl,
      chainId: devnet.chainId,
      controller: toEvmHex(g.controller),
      providerKeys: [`0x${tronDevnetAccount(30).privateKey}`],
      tokens: [
        {
          address: toEvmHex(g.token.address),
          symbol: 'USDT',
          decimals: 6,
          activateFee: g.token.activateFee,
          transferFee: g.token.transferFee,
        },
      ],
      providerConfig: { maxPendingTransfer: 0 },
    });
    const scheme = createExactGasFreeFacilitator({
      networks: { 'tron:nile': { api: { baseUrl: strict.baseUrl }, fullHost: devnet.fullHost } },
      fees: { 'tron:nile': { [devnet.assets.USDT.address]: FEE } },
    });
    try {
      const payer = await freshPayer();
      const payload = await crafted(await offer(), payer.index);
      const result = await scheme.verify(payload, payload.accepted, { x402Version: 2 });
      assert.equal(result.invalidReason, ExactGasFreeReasons.accountInactive);
    } finally {
      scheme.close();
      await strict.stop();
    }
  });

  it('settles through data:null and 5xx status answers', async () => {
    const payer = await freshPayer();
    const payTo = devnet.accounts.payTo.address;
    const t0 = await usdt(payTo);
    gasFree().service.setFaults({ transientErrors: 4, nullDataPolls: 3 });
    try {
      const res = await payingFetch(payer.index)(`${stack.serverUrl}/weather`);
      assert.equal(res.status, 200, await res.clone().text());
      assert.ok(getPaymentResponse(res)?.success);
    } finally {
      gasFree().service.setFaults({});
    }
    assert.equal(await usdt(payTo), t0 + PRICE);
  });

  it('never submits the same permit twice; a pending answer resolves on the next settle', async () => {
    const payer = await freshPayer();
    const payTo = devnet.accounts.payTo.address;
    const t0 = await usdt(payTo);
    const impatient = createExactGasFreeFacilitator({
      networks: { 'tron:nile': { api: { baseUrl: gasFree().baseUrl }, fullHost: devnet.fullHost } },
      fees: { 'tron:nile': { [devnet.assets.USDT.address]: FEE } },
      settleTimeoutMs: 1,
      pollMs: 20,
    });
    gasFree().service.setFaults({ nullDataPolls: 2 });
    try {
      const payload = await crafted(await offer(), payer.index);
      const ctx = { x402Version: 2 as const };
      const first = await impatient.settle(payload, payload.accepted, ctx);
      assert.equal(first.success, false);
      assert.equal(first.errorReason, ExactGasFreeReasons.settlementPending);
      assert.ok(first.transaction.length > 0);
      const [second, third] = await Promise.all([
        impatient.settle(payload, payload.accepted, ctx),
        impatient.settle(payload, payload.accepted, ctx),
      ]);
      assert.equal(third.transaction, second.transaction);
      let settled = second;
      for (let i = 0; i < 100 && !settled.success; i++) {
        assert.equal(settled.errorReason, ExactGasFreeReasons.settlementPending);
        await new Promise((resolve) => setTimeout(resolve, 30));
        settled = await impatient.settle(payload, payload.accepted, ctx);
      }
      assert.ok(settled.success, JSON.stringify(settled));
      await gasFree().service.idle();
      assert.equal(await usdt(payTo), t0 + PRICE);
      const again = await stack.scheme.settle(payload, payload.accepted, ctx);
      assert.equal(again.success, false); // another facilitator instance: the nonce is spent, no second submit
      assert.equal(again.errorReason, ExactGasFreeReasons.nonceMismatch);
      assert.equal(await usdt(payTo), t0 + PRICE);
    } finally {
      gasFree().service.setFaults({});
      impatient.close();
    }
  });

  it('keeps Base58 in the wire', async () => {
    const payer = await freshPayer();
    const payload = await crafted(await offer(), payer.index);
    const permit = payload.payload.paymentPermit as { buyer: string };
    assert.equal(permit.buyer, toTronAddress(tronDevnetAccount(payer.index).evmAddress));
    assert.equal(payload.extensions?.scheme, 'exact_gasfree');
  });
});
