/**
 * Batched settlement on a real anvil: concurrent EIP-3009 payments go out in one Multicall3
 * transaction, each payment is answered on its own (its own sub-call, its own logs), a payment
 * that would fail inside the batch is kept out of it, and the ledger hears the hash per payment.
 * Batches are made deterministic by a long window and `maxBatch` equal to the number of payments
 * (a full batch is sent at once), so nothing here depends on timing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PaymentPayload, type PaymentRequirements, Reasons } from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { devnetExactEvmFacilitator } from '@x402kit/testing/devnet-exact-facilitator';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import { createPublicClient, type Hash, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { encodeTransferWithAuthorization } from '../exact/simulation.js';
import {
  type ExactEvmFacilitator,
  sameAddress,
  signExactEvmAuthorization,
  waitForReceipt,
} from '../index.js';
import { MULTICALL3_ADDRESS } from '../multicall3.js';
import { paymentReceipts, readBatchedPayment } from './batched-payment.js';

let devnet: Devnet;
const client = () => createPublicClient({ transport: http(devnet.rpcUrl) });

function requirementsFor(amount: string): PaymentRequirements {
  return devnetExactRequirements(devnet, { amount });
}

async function pay(key: Hex, requirements: PaymentRequirements, nonce?: Hex): Promise<PaymentPayload> {
  const signed = await signExactEvmAuthorization(
    privateKeyToAccount(key),
    requirements,
    nonce ? { authorization: { nonce } } : {},
  );
  return { x402Version: 2, accepted: requirements, payload: { ...signed } };
}

function batchingFacilitator(maxBatch: number, windowMs = 60_000): ExactEvmFacilitator {
  return devnetExactEvmFacilitator(devnet, {
    batching: { windowMs, maxBatch },
  });
}

before(async () => {
  devnet = await startDevnet({ extraPayers: 3 });
});

after(async () => {
  await devnet?.stop();
});

describe('batched settlement (Multicall3 aggregate3)', () => {
  let batchHash: Hash;
  let batchPayments: Array<{ payload: PaymentPayload; requirements: PaymentRequirements }> = [];

  it('settles 6 concurrent payments in ONE transaction, each answered and recorded on its own', async () => {
    const facilitator = batchingFacilitator(6);
    try {
      const keys = [devnet.accounts.payer, ...devnet.extraPayers].map((a) => a.privateKey as Hex);
      const requirements = requirementsFor('1000');
      batchPayments = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => ({
          payload: await pay(keys[i % keys.length] as Hex, requirements),
          requirements,
        })),
      );
      const payToBefore = await readTokenBalance(
        devnet.rpcUrl,
        devnet.token.address,
        devnet.accounts.payTo.address,
      );
      const recorded: string[][] = batchPayments.map(() => []);
      const results = await Promise.all(
        batchPayments.map((p, i) =>
          facilitator.settle(p.payload, p.requirements, {
            x402Version: 2,
            onBroadcast: (hash) => {
              recorded[i]?.push(hash);
            },
          }),
        ),
      );
      assert.deepEqual(
        results.filter((r) => !r.success),
        [],
      );
      const hashes = new Set(results.map((r) => r.transaction));
      assert.equal(hashes.size, 1, 'one transaction for the whole batch');
      batchHash = results[0]?.transaction as Hash;
      for (const r of recorded) assert.deepEqual(r, [batchHash], 'the ledger hears the hash per payment');
      const tx = await client().getTransaction({ hash: batchHash });
      assert.ok(tx.to && sameAddress(tx.to, MULTICALL3_ADDRESS), 'sent to Multicall3');
      const payToAfter = await readTokenBalance(
        devnet.rpcUrl,
        devnet.token.address,
        devnet.accounts.payTo.address,
      );
      assert.equal(payToAfter - payToBefore, 6000n);
      results.forEach((r, i) => {
        assert.equal(
          r.payer?.toLowerCase(),
          String(Reflect.get(batchPayments[i]?.payload.payload.authorization ?? {}, 'from')).toLowerCase(),
        );
      });
    } finally {
      facilitator.close();
    }
  });

  it('keeps a payment that would fail inside the batch out of it; the others still settle', async () => {
    const facilitator = batchingFacilitator(4);
    try {
      const [a, b] = devnet.extraPayers.map((x) => x.privateKey as Hex);
      const payerKey = devnet.accounts.payer.privateKey as Hex;
      const nonce: Hex = `0x${'7a'.repeat(32)}`;
      // two authorizations with ONE nonce: each passes its own preflight, only one can be spent
      const one = requirementsFor('1000');
      const two = requirementsFor('2000');
      const payments = [
        { payload: await pay(payerKey, one, nonce), requirements: one },
        { payload: await pay(payerKey, two, nonce), requirements: two },
        { payload: await pay(a as Hex, one), requirements: one },
        { payload: await pay(b as Hex, one), requirements: one },
      ];
      const results = await Promise.all(
        payments.map((p) => facilitator.settle(p.payload, p.requirements, { x402Version: 2 })),
      );
      const [first, second, third, fourth] = results;
      assert.ok(first && second && third && fourth);
      assert.equal(third.success, true, JSON.stringify(third));
      assert.equal(fourth.success, true, JSON.stringify(fourth));
      assert.equal(third.transaction, fourth.transaction);
      const pair = [first, second];
      const won = pair.filter((r) => r.success);
      const lost = pair.filter((r) => !r.success);
      assert.equal(won.length, 1, JSON.stringify(pair));
      assert.equal(won[0]?.transaction, third.transaction, 'the winner is in the batch');
      assert.equal(lost[0]?.errorReason, Reasons.exactEvmNonceAlreadyUsed, JSON.stringify(lost[0]));
      assert.equal(lost[0]?.transaction, '', 'the loser was never broadcast');
    } finally {
      facilitator.close();
    }
  });

  it('credits each log to one payment only: a payment absent from the batch, or counted twice, fails', async () => {
    const receipt = await waitForReceipt(client(), batchHash, { pollingIntervalMs: 20, timeoutMs: 5000 });
    assert.ok(receipt);
    const payments = batchPayments.map(({ payload }) => {
      const { authorization, signature } = payload.payload as {
        authorization: Parameters<typeof encodeTransferWithAuthorization>[0];
        signature: Hex;
      };
      const data = encodeTransferWithAuthorization(authorization, signature);
      const payment = readBatchedPayment({ to: devnet.token.address, data, gas: 120_000n });
      assert.ok(payment);
      return payment;
    });
    const [firstPayment] = payments;
    assert.ok(firstPayment);
    const outsider = { ...firstPayment, nonce: `0x${'00'.repeat(31)}01` as Hex };
    const views = paymentReceipts(receipt, [...payments, firstPayment, outsider]);
    assert.deepEqual(
      views.map((v) => v.status),
      [...payments.map(() => 'success'), 'reverted', 'reverted'],
    );
    for (const v of views.slice(0, payments.length)) assert.equal(v.logs.length, 2);
  });

  it('sends a lone payment as a plain transfer (no Multicall3 round trip)', async () => {
    const facilitator = batchingFacilitator(50, 0);
    try {
      const requirements = requirementsFor('1000');
      const payload = await pay(devnet.accounts.payer.privateKey as Hex, requirements);
      const result = await facilitator.settle(payload, requirements, { x402Version: 2 });
      assert.equal(result.success, true, JSON.stringify(result));
      const tx = await client().getTransaction({ hash: result.transaction as Hash });
      assert.ok(tx.to && sameAddress(tx.to, devnet.token.address));
    } finally {
      facilitator.close();
    }
  });
});
