/**
 * A GasFree submit whose answer is lost is never a failure, proven on the TRON devnet's local GasFree
 * API: a real proxy in front of it forwards `POST /api/v1/gasfree/submit` (GasFree accepts the
 * transfer and sends it) and then resets the connection or answers 502. Our facilitator looks the
 * user's GasFree account up, sees the permit's nonce taken, and answers `settlement_pending` (never
 * `gasfree_api_unavailable`); asked again for the same payment it answers the same, and it never
 * submits the permit a second time. The transfer lands once. A submit cut before it reached GasFree
 * is `gasfree_api_unavailable` (the nonce did not move), and the same payment then settles.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodePaymentRequiredHeader, type PaymentPayload, Reasons, SettleResponse } from '@x402kit/core';
import { startTronDevnet, type TronDevnet, tronDevnetAccount } from '@x402kit/devnet';
import { type RpcFault, type RpcFaultProxy, startRpcFaultProxy } from '@x402kit/testing/rpc-fault-proxy';
import { type GasFreeTestStack, startGasFreeTestStack } from '@x402kit/testing/tron';
import {
  createGasFreeApiClient,
  ExactGasFreeReasons,
  gasFreeTypedData,
  toExactGasFreeG2,
} from '@x402kit/tron/gasfree';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const FEE = 100_000n; // the facilitator's floor = the devnet's transferFee
let devnet: TronDevnet;
let proxy: RpcFaultProxy;
let stack: GasFreeTestStack;
let submitPath = '';
let nextIndex = 60;

const gasFree = () => devnet.gasFree ?? assert.fail('no GasFree on the devnet');
const usdt = async (address: string) => (await devnet.balances(address)).USDT;
const submits = () => proxy.seen.get(submitPath)?.total ?? 0;

/** A fresh payer with a funded GasFree account and its signed payment for `/weather`. */
async function freshPayment(): Promise<{ payload: PaymentPayload; user: string }> {
  const index = nextIndex++;
  const user = tronDevnetAccount(index).address;
  await gasFree().fund(user, 5_000_000n);
  const res = await fetch(`${stack.serverUrl}/weather`);
  assert.equal(res.status, 402);
  const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  if (pr.x402Version !== 2) throw new Error('expected an x402 v2 402');
  const accepted = pr.accepts[0] ?? assert.fail('no offer');
  const info = await createGasFreeApiClient({ baseUrl: gasFree().baseUrl }).getAddressInfo(user);
  const permit = {
    token: accepted.asset,
    serviceProvider: gasFree().providers[0] ?? assert.fail('no provider'),
    user,
    receiver: accepted.payTo,
    value: BigInt(accepted.amount),
    maxFee: FEE + (info.active ? 0n : gasFree().token.activateFee),
    deadline: BigInt(Math.floor(Date.now() / 1000) + 240),
    version: 1n,
    nonce: BigInt(info.nonce),
  };
  const key: Hex = `0x${tronDevnetAccount(index).privateKey}`;
  const signature = await privateKeyToAccount(key).signTypedData(
    gasFreeTypedData({ chainId: devnet.chainId, controller: gasFree().controller, permit }),
  );
  const wire = toExactGasFreeG2(permit, signature, info.gasFreeAddress);
  return { payload: { x402Version: 2, resource: pr.resource, accepted, ...wire }, user };
}

async function settle(payload: PaymentPayload): Promise<SettleResponse> {
  const res = await fetch(`${stack.facilitatorUrl}/settle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ x402Version: 2, paymentPayload: payload, paymentRequirements: payload.accepted }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return SettleResponse.parse(await res.json());
}

describe('exact_gasfree: a lost submit answer is pending, never a failure, never a second submit', () => {
  before(async () => {
    devnet = await startTronDevnet();
    const base = new URL(gasFree().baseUrl);
    submitPath = `${base.pathname.replace(/\/+$/, '')}/api/v1/gasfree/submit`;
    proxy = await startRpcFaultProxy({ target: base.origin });
    stack = await startGasFreeTestStack(devnet, {
      fee: FEE,
      gasFreeBaseUrl: `${proxy.url}${base.pathname}`,
      submitLookupMs: 500,
    });
  });
  after(async () => {
    await stack?.close();
    await proxy?.close();
    await devnet?.stop();
  });

  const lost: Array<[string, RpcFault]> = [
    ['reset after GasFree accepted it', { kind: 'reset' }],
    ['502 after GasFree accepted it', { kind: 'bad-gateway' }],
  ];
  for (const [label, fault] of lost) {
    it(`submit ${label}: settlement_pending, the transfer lands once, no second submit`, async () => {
      const { payload } = await freshPayment();
      const payTo = payload.accepted.payTo;
      const before = await usdt(payTo);
      const submitsBefore = submits();
      let first: SettleResponse;
      try {
        proxy.setFault(submitPath, fault);
        first = await settle(payload);
      } finally {
        proxy.heal();
      }
      assert.equal(submits() - submitsBefore, 1, 'one submit reached GasFree');
      assert.equal(first.success, false, JSON.stringify(first));
      assert.equal(first.errorReason, Reasons.settlementPending, JSON.stringify(first));
      assert.match(first.errorMessage ?? '', /nonce moved/);

      const again = await settle(payload);
      assert.equal(again.errorReason, Reasons.settlementPending, JSON.stringify(again));
      assert.equal(submits() - submitsBefore, 1, 'the same permit is never submitted twice');

      await gasFree().service.idle();
      assert.equal(await usdt(payTo), before + BigInt(payload.accepted.amount), 'the transfer landed once');
    });
  }

  it('a submit cut before it reached GasFree is gasfree_api_unavailable; the same payment then settles', async () => {
    const { payload } = await freshPayment();
    const payTo = payload.accepted.payTo;
    const before = await usdt(payTo);
    const submitsBefore = submits();
    let first: SettleResponse;
    try {
      proxy.setFault(submitPath, { kind: 'cut' });
      first = await settle(payload);
    } finally {
      proxy.heal();
    }
    assert.equal(first.success, false);
    assert.equal(first.errorReason, ExactGasFreeReasons.apiUnavailable, JSON.stringify(first));
    assert.match(first.errorMessage ?? '', /not accepted/);

    const second = await settle(payload);
    assert.equal(second.success, true, JSON.stringify(second));
    assert.equal(submits() - submitsBefore, 2, 'cut once, then submitted once');
    await gasFree().service.idle();
    assert.equal(await usdt(payTo), before + BigInt(payload.accepted.amount), 'the transfer landed once');
  });
});
