import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PaymentPayload, type PaymentRequirements, Reasons } from '@x402kit/core';
import { createDevnetClient, type Devnet, devnetAccount, startDevnet } from '@x402kit/devnet';
import { devnetExactEvmFacilitator } from '@x402kit/testing/devnet-exact-facilitator';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import { createPublicClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { waitForReceipt } from '../relayer/wait-for-receipt.js';
import { signExactEvmAuthorization } from './client.js';
import { isHexBytes } from './signature.js';

// automine is switched off while a test needs receipts to arrive "too late", then blocks are mined by hand
let devnet: Devnet;
let requirements: PaymentRequirements;
const payer = privateKeyToAccount(devnetAccount(1).privateKey);

before(async () => {
  devnet = await startDevnet();
  requirements = devnetExactRequirements(devnet);
});

after(async () => {
  await devnet?.stop();
});

async function withManualMining<T>(run: (mine: () => Promise<void>) => Promise<T>): Promise<T> {
  const anvil = createDevnetClient(devnet.chain);
  await anvil.setAutomine(false);
  try {
    return await run(() => anvil.mine({ blocks: 1 }));
  } finally {
    await anvil.setAutomine(true);
  }
}

/** A facilitator on the devnet with `options`, run with automine off and closed afterwards. */
async function withFacilitatorMiningByHand(
  options: Parameters<typeof devnetExactEvmFacilitator>[1],
  run: (
    facilitator: ReturnType<typeof devnetExactEvmFacilitator>,
    mine: () => Promise<void>,
  ) => Promise<void>,
): Promise<void> {
  const facilitator = devnetExactEvmFacilitator(devnet, options);
  try {
    await withManualMining((mine) => run(facilitator, mine));
  } finally {
    facilitator.close();
  }
}

async function pay(): Promise<PaymentPayload> {
  return {
    x402Version: 2,
    accepted: requirements,
    payload: await signExactEvmAuthorization(payer, requirements),
  };
}

describe('settlement that outlasts the receipt wait', () => {
  it('answers settlement_pending with the hash, never a failure, and the transaction still lands', async () => {
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    await withFacilitatorMiningByHand({ receiptTimeoutMs: 100 }, async (facilitator, mine) => {
      const [first, second] = await Promise.all([
        facilitator.settle(await pay(), requirements, { x402Version: 2 }),
        facilitator.settle(await pay(), requirements, { x402Version: 2 }),
      ]);
      await mine();
      for (const result of [first, second]) {
        assert.equal(result?.success, false);
        assert.equal(result?.errorReason, Reasons.settlementPending);
        assert.equal(result?.payer, payer.address);
        const hash = result?.transaction;
        assert.ok(isHexBytes(hash) && hash.length === 66, `hash ${hash}`);
        const receipt = await waitForReceipt(client, hash, { pollingIntervalMs: 50, timeoutMs: 6000 });
        assert.equal(receipt?.status, 'success');
      }
      // after the timeouts the relayer re-reads its nonce and keeps working
      const third = await facilitator.settle(await pay(), requirements, { x402Version: 2 });
      assert.equal(third.errorReason, Reasons.settlementPending);
      assert.ok(isHexBytes(third.transaction));
      await mine();
      assert.equal(
        (await waitForReceipt(client, third.transaction, { pollingIntervalMs: 50, timeoutMs: 6000 }))?.status,
        'success',
      );
    });
  });

  it('waits for the block when the timeout allows it', async () => {
    const options = { signers: [devnetAccount(8).privateKey], receiptTimeoutMs: 5000, pollingIntervalMs: 50 };
    await withFacilitatorMiningByHand(options, async (facilitator, mine) => {
      const settling = facilitator.settle(await pay(), requirements, { x402Version: 2 });
      setTimeout(() => void mine(), 300);
      const result = await settling;
      assert.equal(result.success, true, result.errorMessage);
    });
  });

  it('close() ends receipt waits with settlement_pending and refuses new work', async () => {
    const facilitator = devnetExactEvmFacilitator(devnet, {
      signers: [devnetAccount(9).privateKey],
      receiptTimeoutMs: 10_000,
    });
    const payment = await pay();
    const result = await withManualMining(async (mine) => {
      const settling = facilitator.settle(payment, requirements, { x402Version: 2 });
      setTimeout(() => facilitator.close(), 100);
      const started = performance.now();
      const answer = await settling;
      assert.ok(performance.now() - started < 3000);
      await mine();
      return answer;
    });
    assert.equal(result.errorReason, Reasons.settlementPending);
    const refused = await facilitator.verify(await pay(), requirements, { x402Version: 2 });
    assert.equal(refused.invalidReason, Reasons.unexpectedVerifyError);
  });
});
