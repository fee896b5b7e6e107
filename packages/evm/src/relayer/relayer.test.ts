import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import { createDevnetClient, type Devnet, devnetAccount, readTokenBalance } from '@x402kit/devnet';
import { devnetExactEvmFacilitator } from '@x402kit/testing/devnet-exact-facilitator';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import { hookDevnet } from '@x402kit/testing/hook-devnet';
import { type Address, createPublicClient, encodeFunctionData, http, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { eip3009Abi } from '../eip3009.js';
import { signExactEvmAuthorization } from '../exact/client.js';
import { createFeeOracle } from './fee-oracle.js';
import { createRelayer } from './relayer.js';
import { waitForReceipt } from './wait-for-receipt.js';

let devnet: Devnet;
let requirements: PaymentRequirements;
const balanceOf = (address: Address) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address);

hookDevnet({ extraPayers: 6 }, (started) => {
  devnet = started;
  requirements = devnetExactRequirements(devnet);
});

describe('relayer on a devnet', () => {
  it('settles 100 concurrent payments from 7 payers through ONE facilitator key', async (t) => {
    const key = devnet.accounts.facilitator;
    const facilitator = devnetExactEvmFacilitator(devnet, {
      signers: [key.privateKey],
    });
    try {
      const payers = [devnet.accounts.payer, ...devnet.extraPayers].map((a) =>
        privateKeyToAccount(a.privateKey),
      );
      assert.equal(payers.length, 7);
      const payments: PaymentPayload[] = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const signer = payers[i % payers.length];
          assert.ok(signer);
          return {
            x402Version: 2,
            accepted: requirements,
            payload: await signExactEvmAuthorization(signer, requirements),
          };
        }),
      );
      const client = createPublicClient({ transport: http(devnet.rpcUrl) });
      const nonceBefore = await client.getTransactionCount({ address: key.address });
      const payToBefore = await balanceOf(requirements.payTo as Address);
      const payersBefore = await Promise.all(payers.map((p) => balanceOf(p.address)));

      const started = performance.now();
      const results = await Promise.all(
        payments.map((p) => facilitator.settle(p, requirements, { x402Version: 2 })),
      );
      const elapsed = performance.now() - started;

      const failures = results.filter((r) => !r.success);
      assert.deepEqual(failures, []);
      assert.equal(results.length, 100);
      assert.equal(new Set(results.map((r) => r.transaction)).size, 100);
      assert.equal(await client.getTransactionCount({ address: key.address }), nonceBefore + 100);
      assert.equal(await balanceOf(requirements.payTo as Address), payToBefore + 100_000n);
      const payersAfter = await Promise.all(payers.map((p) => balanceOf(p.address)));
      payers.forEach((_, i) => {
        const count = BigInt(Math.floor(100 / 7) + (i < 100 % 7 ? 1 : 0));
        assert.equal(payersAfter[i], (payersBefore[i] ?? 0n) - count * 1000n);
      });
      // keep an eye on the figure without making the suite flaky
      assert.ok(elapsed < 20_000, `100 concurrent settles took ${Math.round(elapsed)} ms`);
      t.diagnostic(`100 concurrent settles from one key: ${Math.round(elapsed)} ms`);
    } finally {
      facilitator.close();
    }
  });

  it('recovers when another sender used its key (nonce too low -> re-read -> retry)', async () => {
    const key = devnetAccount(9);
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    const relayer = createRelayer({
      client,
      account: privateKeyToAccount(key.privateKey),
      chainId: devnet.chainId,
      fees: createFeeOracle({ client }),
    });
    const call = {
      to: devnet.token.address,
      data: encodeFunctionData({ abi: eip3009Abi, functionName: 'balanceOf', args: [key.address] }),
      gas: 60_000n,
    };
    const first = await relayer.send(call);
    // the same key sends behind the relayer's back (anvil signs for its unlocked accounts)
    const wallet = createDevnetClient(devnet.chain);
    const outside = await wallet.sendTransaction({
      account: key.address,
      to: key.address,
      value: parseEther('0.001'),
      chain: devnet.chain,
    });
    await wallet.waitForTransactionReceipt({ hash: outside });
    const outsideNonce = (await client.getTransaction({ hash: outside })).nonce;
    assert.equal((await client.getTransaction({ hash: first })).nonce, outsideNonce - 1);
    const second = await relayer.send(call);
    assert.notEqual(first, second);
    const receipt = await waitForReceipt(client, second, { pollingIntervalMs: 20, timeoutMs: 5000 });
    assert.equal(receipt?.status, 'success');
    assert.equal((await client.getTransaction({ hash: second })).nonce, outsideNonce + 1);
  });

  it('waitForReceipt gives up after its timeout and on abort', async () => {
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    const unknown = `0x${'ab'.repeat(32)}` as const;
    const started = performance.now();
    assert.equal(await waitForReceipt(client, unknown, { pollingIntervalMs: 20, timeoutMs: 150 }), undefined);
    const waited = performance.now() - started;
    assert.ok(waited >= 140 && waited < 2000, `waited ${waited} ms`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const abortStarted = performance.now();
    assert.equal(
      await waitForReceipt(client, unknown, {
        pollingIntervalMs: 20,
        timeoutMs: 10_000,
        signal: controller.signal,
      }),
      undefined,
    );
    assert.ok(performance.now() - abortStarted < 2000);
  });
});
