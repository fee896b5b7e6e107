/**
 * Reconciling `exact_permit` payments on TRON (the TRON devnet: anvil at Nile's chain id behind a
 * local TRON node, PaymentPermit at Nile's address) with the background sweep over a SQLite ledger:
 *
 * - a `pending` row whose recorded transaction paid is stored `settled` with that transaction id;
 * - a `pending` row whose recorded hash never landed, for a permit whose nonce was used: unknown
 *   (a TRON node cannot search logs for the transfer that used it), never `failed`, past
 *   `validBefore` too;
 * - a `pending` row whose recorded hash never landed, for a permit never used: `pending` while it
 *   may still settle, `failed` (`invalid_exact_permit_expired`) once `validBefore` passed by the
 *   chain's clock.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  decodePaymentRequiredHeader,
  encodeStoredPayment,
  normalizePaymentKey,
  type PaymentKey,
  type PaymentPayload,
  type PaymentRequirements,
  SettleResponse,
} from '@x402kit/core';
import { createDevnetClient, devnetChain, startTronDevnet, type TronDevnet } from '@x402kit/devnet';
import {
  createPendingReconciler,
  createSqliteLedger,
  type PaymentLedger,
  type PendingReconciler,
} from '@x402kit/facilitator';
import {
  devnetNode,
  type RunningTron,
  startOurTronFacilitator,
  startOurTronServer,
} from '@x402kit/testing/tron';
import { tronAddressBody } from '@x402kit/tron';
import { createExactPermitTronReconciler } from '@x402kit/tron/chain-module';
import {
  prepareExactPermitTronApproval,
  readExactPermitTronPayload,
  sendExactPermitTronApproval,
  signExactPermitTron,
} from '@x402kit/tron/exact-permit';

let devnet: TronDevnet;
let facilitator: RunningTron;
let server: RunningTron;
let ledger: PaymentLedger;
let sweeper: PendingReconciler;

type Payment = {
  payload: PaymentPayload;
  requirements: PaymentRequirements;
  key: PaymentKey;
  validBefore: bigint;
};

/** A fresh `exact_permit` payment for `/weather`, signed by the payer (server-issued context). */
async function signedPayment(): Promise<Payment> {
  const res = await fetch(`${server.url}/weather`);
  assert.equal(res.status, 402);
  const offer = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  if (offer.x402Version !== 2) throw new Error('expected x402 v2');
  const requirements = offer.accepts[0] ?? assert.fail('no offer');
  const signed = await signExactPermitTron(devnet.accounts.payer.privateKey, requirements, offer.extensions);
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: { url: `${server.url}/weather` },
    accepted: requirements,
    payload: { ...signed },
  };
  const read = readExactPermitTronPayload(payload.payload);
  assert.ok(read.ok);
  const key = normalizePaymentKey({
    network: 'tron:nile',
    asset: tronAddressBody(requirements.asset),
    payer: tronAddressBody(devnet.accounts.payer.address),
    nonce: `paymentpermit:${read.permit.meta.nonce}`,
  });
  return { payload, requirements, key, validBefore: read.permit.meta.validBefore };
}

async function settle(payment: Payment): Promise<SettleResponse> {
  const res = await fetch(`${facilitator.url}/settle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      x402Version: 2,
      paymentPayload: payment.payload,
      paymentRequirements: payment.requirements,
    }),
  });
  return SettleResponse.parse(await res.json());
}

/** A `pending` row recording `transaction` (by default a hash that never reached a node). */
async function pendingRow(payment: Payment, transaction = randomUUID().replaceAll('-', '').padEnd(64, 'e')) {
  const claimed = await ledger.claim(payment.key, {
    payloadHash: 'test',
    owner: 'gone',
    payment: encodeStoredPayment({ x402Version: 2, ...payment }),
  });
  assert.ok(claimed.claimed);
  await ledger.recordBroadcast(payment.key, 'gone', transaction);
  await ledger.complete(payment.key, 'pending', {
    success: false,
    errorReason: 'settlement_pending',
    transaction,
    network: 'tron:nile',
  });
  return transaction;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reconciling exact_permit payments on TRON', () => {
  before(async () => {
    devnet = await startTronDevnet();
    const feeTo = devnet.allAccounts[9]?.address ?? assert.fail('no account 9');
    facilitator = await startOurTronFacilitator(devnet, { feeTo });
    server = await startOurTronServer({
      facilitatorUrl: facilitator.url,
      payTo: devnet.accounts.payTo.address,
      routes: [{ path: '/weather', price: '$0.01' }],
    });
    const node = devnetNode(devnet);
    const first = await signedPayment();
    const approval = await prepareExactPermitTronApproval({
      node,
      owner: devnet.accounts.payer.address,
      requirements: first.requirements,
      amount: 'unlimited',
    });
    if (approval)
      await sendExactPermitTronApproval({ node, approval, privateKey: devnet.accounts.payer.privateKey });
    ledger = await createSqliteLedger({ path: ':memory:' });
    sweeper = createPendingReconciler({
      ledger,
      owner: 'sweeper',
      leaseMs: 50,
      quietMs: 50,
      reconcile: createExactPermitTronReconciler({
        'tron:nile': { fullHost: devnet.fullHost, paymentPermitAddress: devnet.contracts.paymentPermit },
      }),
    });
  });

  after(async () => {
    await sweeper?.stop();
    await ledger?.close();
    await server?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('settles a pending row from its recorded transaction; a used nonce without one stays unknown; an unused one fails after validBefore', async () => {
    const paid = await signedPayment();
    const settled = await settle(paid);
    assert.equal(settled.success, true, JSON.stringify(settled));
    await pendingRow(paid, settled.transaction);

    // settled by a transaction the ledger has no hash of: nothing proves where the money went
    const usedElsewhere = await signedPayment();
    assert.equal((await settle(usedElsewhere)).success, true);
    await pendingRow(usedElsewhere);

    const neverSent = await signedPayment();
    await pendingRow(neverSent);

    const first = await sweeper.sweep();
    assert.deepEqual([first.settled, first.failed, first.unknown], [1, 0, 2], JSON.stringify(first));
    const stored = await ledger.get(paid.key);
    assert.equal(stored?.state, 'settled');
    assert.equal(stored?.transaction, settled.transaction);
    assert.equal((await ledger.get(usedElsewhere.key))?.state, 'pending');
    assert.equal((await ledger.get(neverSent.key))?.state, 'pending', 'it may still settle');

    // the chain's clock passes validBefore
    const anvil = createDevnetClient(devnetChain({ chainId: devnet.chainId, rpcUrl: devnet.rpcUrl }));
    const now = BigInt(Math.floor(Date.now() / 1000));
    await anvil.increaseTime({ seconds: Number(neverSent.validBefore - now) + 60 });
    await anvil.mine({ blocks: 1 });
    await pause(100); // the leases of the first sweep end
    const late = await sweeper.sweep();
    assert.deepEqual([late.settled, late.failed, late.unknown], [0, 1, 1], JSON.stringify(late));
    const expired = await ledger.get(neverSent.key);
    assert.equal(expired?.state, 'failed');
    assert.equal(expired?.outcome?.errorReason, 'invalid_exact_permit_expired');
    assert.match(expired?.outcome?.errorMessage ?? '', /expired unsettled/);
    assert.equal((await ledger.get(usedElsewhere.key))?.state, 'pending', 'used nonce: never failed');
  });
});
