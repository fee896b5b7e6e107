// The proof: the official x402 stack (@x402/core + @x402/svm 2.27) pays on the local Solana devnet unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { x402Client } from '@x402/core/client';
import { x402Facilitator } from '@x402/core/facilitator';
import type { PaymentRequired, PaymentRequirements } from '@x402/core/types';
import { toFacilitatorSvmSigner } from '@x402/svm';
import { ExactSvmScheme } from '@x402/svm/exact/client';
import { registerExactSvmScheme } from '@x402/svm/exact/facilitator';
import { solanaDevnetSigner } from './solana-accounts.js';
import type { SolanaDevnet } from './start-solana-devnet.js';
import { SOLANA_DEVNET_NETWORK, startSolanaDevnet } from './start-solana-devnet.js';

describe('official @x402/svm exact scheme on the local Solana devnet', () => {
  let devnet: SolanaDevnet;

  before(async () => {
    devnet = await startSolanaDevnet();
  });
  after(async () => {
    await devnet?.stop();
  });

  test('the official client pays and the official facilitator verifies and settles', async () => {
    const payer = await solanaDevnetSigner('payer');
    const feePayer = await solanaDevnetSigner('feePayer');
    const requirements: PaymentRequirements = {
      scheme: 'exact',
      network: SOLANA_DEVNET_NETWORK,
      asset: devnet.usdc.address,
      amount: '1000',
      payTo: devnet.accounts.payTo.address,
      maxTimeoutSeconds: 60,
      extra: { feePayer: feePayer.address },
    };
    const paymentRequired: PaymentRequired = {
      x402Version: 2,
      resource: {
        url: 'http://127.0.0.1/paid',
        description: 'a paid resource',
        mimeType: 'application/json',
      },
      accepts: [requirements],
    };

    const client = new x402Client().register(
      SOLANA_DEVNET_NETWORK,
      new ExactSvmScheme(payer, { rpcUrl: devnet.rpcUrl }),
    );
    const payload = await client.createPaymentPayload(paymentRequired);
    assert.equal(typeof payload.payload.transaction, 'string');

    const facilitator = new x402Facilitator();
    registerExactSvmScheme(facilitator, {
      signer: toFacilitatorSvmSigner(feePayer, { defaultRpcUrl: devnet.rpcUrl }),
      networks: SOLANA_DEVNET_NETWORK,
    });

    const payerBefore = await devnet.balances(payer.address);
    const payToBefore = await devnet.balances(devnet.accounts.payTo.address);
    const feePayerBefore = await devnet.balances(feePayer.address);

    const verified = await facilitator.verify(payload, requirements);
    assert.deepEqual(
      { isValid: verified.isValid, invalidReason: verified.invalidReason },
      { isValid: true, invalidReason: undefined },
    );
    assert.equal(verified.payer, payer.address);

    const settled = await facilitator.settle(payload, requirements);
    assert.equal(settled.success, true, JSON.stringify(settled));
    assert.equal(settled.network, SOLANA_DEVNET_NETWORK);
    assert.match(settled.transaction, /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    const status = devnet.chain.signatureStatus(settled.transaction);
    assert.deepEqual(status?.err, null);

    const payerAfter = await devnet.balances(payer.address);
    const payToAfter = await devnet.balances(devnet.accounts.payTo.address);
    const feePayerAfter = await devnet.balances(feePayer.address);
    assert.equal(payerBefore.USDC - payerAfter.USDC, 1000n);
    assert.equal(payToAfter.USDC - payToBefore.USDC, 1000n);
    assert.equal(payerAfter.SOL, payerBefore.SOL, 'the payer pays no SOL');
    // 5000 lamports per signature (payer + fee payer) plus the client's priority fee (20000 CU at 1 µlamport).
    assert.equal(feePayerBefore.SOL - feePayerAfter.SOL, 10_001n);

    const again = await facilitator.settle(payload, requirements);
    assert.equal(again.success, false);
    assert.equal(again.errorReason, 'duplicate_settlement');
    assert.equal((await devnet.balances(payer.address)).USDC, payerAfter.USDC);
    assert.deepEqual(
      devnet.server.unknownMethods,
      [],
      'the official stack asked for no method the RPC lacks',
    );
  });
});
