/**
 * A TRON broadcast whose answer is lost is never a failure, proven on the TRON devnet: a real proxy
 * in front of the local TRON node forwards `/wallet/broadcasttransaction` (the node takes the
 * transaction) and then resets the connection or answers 502, while the transaction can not be read
 * back either. Our facilitator service answers `settlement_pending` with the txid it computed before
 * broadcasting (the one that lands); once the node is reachable again, the same payment settles with
 * that txid; the payer paid exactly once. With the node readable, the facilitator learns the outcome
 * itself and answers success at once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodePaymentRequiredHeader, type PaymentPayload, Reasons, SettleResponse } from '@x402kit/core';
import { startTronDevnet, type TronDevnet } from '@x402kit/devnet';
import { type RpcFault, type RpcFaultProxy, startRpcFaultProxy } from '@x402kit/testing/rpc-fault-proxy';
import {
  devnetNode,
  type RunningTron,
  startOurTronFacilitator,
  startOurTronServer,
  TRON_FEE,
} from '@x402kit/testing/tron';
import type { TronNodeClient } from '@x402kit/tron';
import {
  prepareExactPermitTronApproval,
  sendExactPermitTronApproval,
  signExactPermitTron,
} from '@x402kit/tron/exact-permit';

const PRICE = 10_000n; // $0.01 of 6-decimal USDT
const BROADCAST = '/wallet/broadcasttransaction';

let devnet: TronDevnet;
let node: TronNodeClient;
let proxy: RpcFaultProxy;
let facilitator: RunningTron;
let server: RunningTron;
const closers: Array<() => Promise<void>> = [];

const usdtOf = async (address: string) => (await devnet.balances(address)).USDT;

/** A fresh `exact_permit` payment of the devnet payer for `/weather`. */
async function payment(): Promise<PaymentPayload> {
  const res = await fetch(`${server.url}/weather`);
  assert.equal(res.status, 402);
  const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  if (required.x402Version !== 2) throw new Error('expected an x402 v2 402');
  const accepted = required.accepts[0] ?? assert.fail('no offer');
  const payload = await signExactPermitTron(devnet.accounts.payer.privateKey, accepted, required.extensions);
  return { x402Version: 2, resource: required.resource, accepted, payload: { ...payload } };
}

async function settle(payload: PaymentPayload, attempt: string): Promise<SettleResponse> {
  const res = await fetch(`${facilitator.url}/settle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x402-attempt': attempt },
    body: JSON.stringify({ x402Version: 2, paymentPayload: payload, paymentRequirements: payload.accepted }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return SettleResponse.parse(await res.json());
}

describe('TRON exact_permit: a lost broadcast answer is settlement_pending, then settled, paid once', () => {
  before(async () => {
    devnet = await startTronDevnet({});
    node = devnetNode(devnet);
    proxy = await startRpcFaultProxy({ target: devnet.fullHost });
    closers.push(() => proxy.close());
    const feeTo = devnet.allAccounts[9]?.address ?? assert.fail('no account 9');
    facilitator = await startOurTronFacilitator(devnet, {
      feeTo,
      fullHost: proxy.url,
      tuning: { receiptTimeoutMs: 1500 },
    });
    server = await startOurTronServer({
      facilitatorUrl: facilitator.url,
      payTo: devnet.accounts.payTo.address,
      routes: [{ path: '/weather', price: '$0.01' }],
    });
    closers.push(server.close, facilitator.close);
    const first = await payment();
    const approval = await prepareExactPermitTronApproval({
      node,
      owner: devnet.accounts.payer.address,
      requirements: first.accepted,
      amount: 'unlimited',
    });
    if (approval)
      await sendExactPermitTronApproval({ node, approval, privateKey: devnet.accounts.payer.privateKey });
  });

  after(async () => {
    proxy?.heal();
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await devnet?.stop();
  });

  const lost: Array<[string, RpcFault]> = [
    ['reset after forwarding', { kind: 'reset' }],
    ['502 after forwarding', { kind: 'bad-gateway' }],
  ];
  for (const [label, fault] of lost) {
    it(`broadcast ${label}, node unreadable: pending with the landed txid, then settled with it`, async () => {
      const payer = devnet.accounts.payer.address;
      const payTo = devnet.accounts.payTo.address;
      const [p0, t0] = [await usdtOf(payer), await usdtOf(payTo)];
      const payload = await payment();
      const attempt = `tron-faults-${randomUUID()}`;
      const faultedBefore = proxy.seen.get(BROADCAST)?.faulted ?? 0;
      let first: SettleResponse;
      try {
        proxy.setFault(BROADCAST, fault);
        proxy.setFault('/wallet/gettransactioninfobyid', { kind: 'reset' });
        proxy.setFault('/wallet/gettransactionbyid', { kind: 'reset' });
        first = await settle(payload, attempt);
      } finally {
        proxy.heal();
      }
      assert.ok((proxy.seen.get(BROADCAST)?.faulted ?? 0) > faultedBefore, 'the broadcast was faulted');
      assert.equal(first.success, false, JSON.stringify(first));
      assert.equal(first.errorReason, Reasons.settlementPending, JSON.stringify(first));
      assert.match(first.transaction, /^[0-9a-f]{64}$/);
      // the txid the facilitator named is the transaction that moved the money
      assert.equal((await node.getTransactionInfoById(first.transaction))?.receipt?.result, 'SUCCESS');

      const again = await settle(payload, attempt);
      assert.equal(again.success, true, JSON.stringify(again));
      assert.equal(again.transaction, first.transaction, 'the same transaction, not a second broadcast');
      assert.equal(await usdtOf(payer), p0 - PRICE - TRON_FEE, 'the payer paid once');
      assert.equal(await usdtOf(payTo), t0 + PRICE);
    });
  }

  it('broadcast reset, node readable: the facilitator learns the outcome and answers success at once', async () => {
    const payer = devnet.accounts.payer.address;
    const p0 = await usdtOf(payer);
    const payload = await payment();
    let answer: SettleResponse;
    try {
      proxy.setFault(BROADCAST, { kind: 'reset' });
      answer = await settle(payload, `tron-faults-${randomUUID()}`);
    } finally {
      proxy.heal();
    }
    assert.equal(answer.success, true, JSON.stringify(answer));
    assert.equal((await node.getTransactionInfoById(answer.transaction))?.receipt?.result, 'SUCCESS');
    assert.equal(await usdtOf(payer), p0 - PRICE - TRON_FEE, 'the payer paid once');
  });
});
