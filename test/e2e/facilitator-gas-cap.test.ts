/**
 * `limits.maxGasPerSettlement`, the absolute gas cap per settlement, on a real chain: the relayer's
 * transaction carries the cap as its gas limit (so no asset contract can burn more of the
 * facilitator's gas), and a cap too small for the transfer makes the settlement fail without
 * moving money.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SettleResponse } from '@x402kit/core';
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createFacilitatorApp, parseServiceConfig } from '@x402kit/facilitator';
import { CHAINS } from '@x402kit/testing/chains';
import { devnetExactRequirements, signExactSettlement } from '@x402kit/testing/exact-settlement';
import { createPublicClient, type Hash, http } from 'viem';

describe('maxGasPerSettlement caps the gas of every settlement', () => {
  let devnet: Devnet;
  before(async () => {
    devnet = await startDevnet({ port: 0 });
  });
  after(async () => {
    await devnet?.stop();
  });

  async function settleWithCap(cap: number, relayerIndex: number): Promise<SettleResponse> {
    const app = await createFacilitatorApp(
      parseServiceConfig(
        {
          networks: { [devnet.network]: { rpc: [devnet.rpcUrl] } },
          signers: { privateKeys: [devnetAccount(relayerIndex).privateKey] },
          ledger: { sqlite: { path: ':memory:' } },
          limits: { maxGasPerSettlement: cap },
        },
        { chains: CHAINS },
      ),
      { log: () => {}, autoStart: false },
    );
    try {
      const { body } = await signExactSettlement(
        devnet.accounts.payer.privateKey,
        devnetExactRequirements(devnet),
        'https://api.example/gas',
      );
      const res = await app.service.fetch(
        new Request('http://facilitator.local/settle', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }),
      );
      return SettleResponse.parse(await res.json());
    } finally {
      await app.close();
    }
  }

  it('sends the settlement with the cap as its gas limit', async () => {
    const answer = await settleWithCap(95_000, 2);
    assert.equal(answer.success, true, JSON.stringify(answer));
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const tx = await chain.getTransaction({ hash: answer.transaction as Hash });
    const receipt = await chain.getTransactionReceipt({ hash: answer.transaction as Hash });
    assert.equal(tx.gas, 95_000n);
    assert.ok(receipt.gasUsed <= 95_000n);
    console.log(`gas cap: limit ${tx.gas}, used ${receipt.gasUsed}`);
  });

  it('fails a settlement the cap cannot pay for, and moves no money', async () => {
    const payTo = devnet.accounts.payTo.address;
    const before = await readTokenBalance(devnet.rpcUrl, devnet.token.address, payTo);
    const answer = await settleWithCap(30_000, 3);
    assert.equal(answer.success, false, JSON.stringify(answer));
    assert.equal(await readTokenBalance(devnet.rpcUrl, devnet.token.address, payTo), before);
    console.log(`gas cap 30000: ${answer.errorReason}`);
  });
});
