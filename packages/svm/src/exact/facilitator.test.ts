// `exact` on SVM against the local Solana devnet (litesvm behind a real JSON-RPC server): our client
// pays, our facilitator (in the core engine) verifies and settles; a concurrent double settle sends
// once; a lost confirmation is pending, and found on the next settle.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KeyPairSigner } from '@solana/kit';
import { createSolanaRpc } from '@solana/kit';
import type { Facilitator, PaymentPayload, PaymentRequirements } from '@x402kit/core';
import { type SolanaDevnet, solanaDevnetAccount } from '@x402kit/devnet';
import { startSvmExactStack } from '@x402kit/testing/svm-exact';
import { SvmReasons } from '../reasons.js';
import { createExactSvmClient } from './client.js';
import { createExactSvmFacilitator, type ExactSvmFacilitatorRpc } from './facilitator.js';

let devnet: SolanaDevnet;
let payer: KeyPairSigner;
let feePayer: KeyPairSigner;
let engine: Facilitator;
let requirements: PaymentRequirements;

before(async () => {
  ({ devnet, payer, feePayer, ours: engine, requirements } = await startSvmExactStack());
});
after(async () => {
  await devnet?.stop();
});

async function ourPayment(accepted = requirements): Promise<PaymentPayload> {
  const client = createExactSvmClient({ signer: payer, rpc: devnet.rpcUrl });
  const { payload } = await client.createPaymentPayload(accepted, { x402Version: 2 });
  return { x402Version: 2, accepted, payload };
}

describe('exact SVM: our client, our facilitator', () => {
  test('/supported advertises the fee payer', async () => {
    const supported = await engine.supported();
    const kind = supported.kinds.find((k) => k.network === devnet.network && k.x402Version === 2);
    assert.deepEqual(kind?.extra, { feePayer: feePayer.address });
    assert.deepEqual(supported.signers['solana:*'], [feePayer.address]);
  });

  test('verify is valid, settle moves exactly the amount and the fee payer pays the fees', async () => {
    const payment = await ourPayment();
    const before = await Promise.all(
      [payer, devnet.accounts.payTo, feePayer].map((a) => devnet.balances(a.address)),
    );
    const verified = await engine.verify(payment, requirements);
    assert.deepEqual(verified, { isValid: true, payer: payer.address });
    const settled = await engine.settle(payment, requirements);
    assert.equal(settled.success, true, JSON.stringify(settled));
    assert.equal(settled.network, devnet.network);
    assert.equal(settled.payer, payer.address);
    assert.match(settled.transaction, /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    assert.deepEqual(devnet.chain.signatureStatus(settled.transaction)?.err, null);
    const afterSettle = await Promise.all(
      [payer, devnet.accounts.payTo, feePayer].map((a) => devnet.balances(a.address)),
    );
    assert.equal(before[0]!.USDC - afterSettle[0]!.USDC, 1000n);
    assert.equal(afterSettle[1]!.USDC - before[1]!.USDC, 1000n);
    assert.equal(afterSettle[0]!.SOL, before[0]!.SOL, 'the payer pays no SOL');
    assert.equal(before[2]!.SOL - afterSettle[2]!.SOL, 10_001n, 'two signatures and 20 000 CU at 1 µlamport');
  });

  test('the same transaction settled twice at once is sent once', async () => {
    const payment = await ourPayment();
    const before = await devnet.balances(payer.address);
    const [a, b] = await Promise.all([
      engine.settle(payment, requirements),
      engine.settle(payment, requirements),
    ]);
    assert.equal(a.success, true, JSON.stringify(a));
    assert.equal(b.success, true, JSON.stringify(b));
    assert.equal(a.transaction, b.transaction);
    assert.equal(before.USDC - (await devnet.balances(payer.address)).USDC, 1000n);
    // settled again later: the chain has it (AlreadyProcessed), so it answers the same, moving nothing
    const again = await engine.settle(payment, requirements);
    assert.deepEqual(
      { success: again.success, transaction: again.transaction },
      { success: true, transaction: a.transaction },
    );
    assert.equal(before.USDC - (await devnet.balances(payer.address)).USDC, 1000n);
  });

  test('a confirmation that does not come in time answers settlement_pending with the signature', async () => {
    const real = createSolanaRpc(devnet.rpcUrl);
    // an RPC whose status lookups never see the transaction (a slow or lagging node)
    const blind = new Proxy(real, {
      get(target, method, receiver) {
        if (method === 'getSignatureStatuses') {
          return () => ({ send: async () => ({ context: { slot: 0n }, value: [null] }) });
        }
        return Reflect.get(target, method, receiver);
      },
    }) as ExactSvmFacilitatorRpc;
    const svm = createExactSvmFacilitator({
      networks: { [devnet.network]: { rpc: blind } },
      feePayers: [(await solanaDevnetAccount('feePayer')).secretKey],
      confirmTimeoutMs: 100,
      pollingIntervalMs: 20,
    });
    const payment = await ourPayment();
    const broadcast: string[] = [];
    const pending = await svm.settle(payment, requirements, {
      x402Version: 2,
      onBroadcast: (tx) => {
        broadcast.push(tx);
      },
    });
    assert.equal(pending.success, false);
    assert.equal(pending.errorReason, 'settlement_pending');
    assert.match(pending.transaction, /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    assert.deepEqual(broadcast, [pending.transaction]);
    // it did land: settling the same payment again with a seeing RPC finds it
    const settled = await engine.settle(payment, requirements);
    assert.deepEqual(
      { success: settled.success, transaction: settled.transaction },
      { success: true, transaction: pending.transaction },
    );
  });

  test('a fee payer that is not ours, and a missing one, are refused', async () => {
    const payment = await ourPayment();
    const notOurs = { ...requirements, extra: { feePayer: payer.address } };
    assert.equal(
      (await engine.verify({ ...payment, accepted: notOurs }, notOurs)).invalidReason,
      SvmReasons.feePayerNotManaged,
    );
    const none = { ...requirements, extra: {} };
    assert.equal(
      (await engine.verify({ ...payment, accepted: none }, none)).invalidReason,
      SvmReasons.missingFeePayer,
    );
  });
});
