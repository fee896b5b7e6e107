// The client's transaction, decoded: instruction order and contents for SPL Token and Token-2022
// mints, the seller's memo, and the refusals a misconfigured offer meets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KeyPairSigner } from '@solana/kit';
import { address, createSolanaRpc } from '@solana/kit';
import { findAssociatedTokenPda } from '@solana-program/token';
import type { PaymentRequirements } from '@x402kit/core';
import { type SolanaDevnet, solanaDevnetSigner, startSolanaDevnet } from '@x402kit/devnet';
import { readComputeUnitLimit, readComputeUnitPrice } from '../compute-budget.js';
import {
  COMPUTE_BUDGET_PROGRAM_ADDRESS,
  MEMO_PROGRAM_ADDRESS,
  TOKEN_2022_PROGRAM_ADDRESS,
  TOKEN_PROGRAM_ADDRESS,
} from '../programs.js';
import { decodeSvmTransaction } from '../transaction.js';
import { buildExactSvmTransaction, createExactSvmClient } from './client.js';

let devnet: SolanaDevnet;
let payer: KeyPairSigner;
let requirements: PaymentRequirements;
const feePayer = 'GcP1ot6XBwbQD1Z7eRiLzQSmn6vNmNZK8TDXvKJ6BNmA';

before(async () => {
  devnet = await startSolanaDevnet();
  payer = await solanaDevnetSigner('payer');
  requirements = {
    scheme: 'exact',
    network: devnet.network,
    asset: devnet.usdc.address,
    amount: '2500',
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 60,
    extra: { feePayer },
  };
});
after(async () => {
  await devnet?.stop();
});

describe('createExactSvmClient', () => {
  test('builds [compute limit, compute price, TransferChecked, memo] with the facilitator as fee payer', async () => {
    const client = createExactSvmClient({ signer: payer, rpc: devnet.rpcUrl });
    const { payload } = await client.createPaymentPayload(requirements, { x402Version: 2 });
    assert.deepEqual(Object.keys(payload), ['transaction']);
    const decoded = decodeSvmTransaction(payload.transaction);
    assert.ok(decoded);
    assert.equal(decoded.accounts[0], feePayer);
    assert.equal(decoded.message.header.numSignerAccounts, 2);
    const [limit, price, transfer, memo] = decoded.instructions;
    assert.equal(decoded.instructions.length, 4);
    assert.equal(limit?.programAddress, COMPUTE_BUDGET_PROGRAM_ADDRESS);
    assert.equal(readComputeUnitLimit(limit!), 20_000);
    assert.equal(readComputeUnitPrice(price!), 1n);
    assert.equal(transfer?.programAddress, TOKEN_PROGRAM_ADDRESS);
    assert.deepEqual(transfer?.accounts, [
      devnet.accounts.payer.usdcAccount,
      devnet.usdc.address,
      devnet.accounts.payTo.usdcAccount,
      payer.address,
    ]);
    assert.deepEqual([...transfer!.data], [12, 0xc4, 0x09, 0, 0, 0, 0, 0, 0, 6]);
    assert.equal(memo?.programAddress, MEMO_PROGRAM_ADDRESS);
    assert.match(new TextDecoder().decode(memo?.data), /^[0-9a-f]{32}$/);
    // the fee payer's signature is left empty for the facilitator; the payer's is there
    assert.deepEqual(
      Object.values(decoded.transaction.signatures).map((sig) => sig?.length ?? null),
      [null, 64],
    );
  });

  test("carries the seller's extra.memo and refuses one over 256 bytes", async () => {
    const client = createExactSvmClient({ signer: payer, rpc: devnet.rpcUrl });
    const withMemo = { ...requirements, extra: { feePayer, memo: 'order-42' } };
    const { payload } = await client.createPaymentPayload(withMemo, { x402Version: 2 });
    const memo = decodeSvmTransaction(payload.transaction)?.instructions[3];
    assert.equal(new TextDecoder().decode(memo?.data), 'order-42');
    const tooLong = { ...requirements, extra: { feePayer, memo: 'x'.repeat(257) } };
    await assert.rejects(client.createPaymentPayload(tooLong, { x402Version: 2 }), {
      reason: 'invalid_payment_requirements',
    });
  });

  test('pays a Token-2022 mint with its program and its associated token accounts', async () => {
    const mint = address(devnet.usdc.address);
    const transaction = await buildExactSvmTransaction(payer, requirements, {
      rpc: createSolanaRpc(devnet.rpcUrl),
      mint: { programAddress: TOKEN_2022_PROGRAM_ADDRESS, decimals: 6 },
    });
    const transfer = decodeSvmTransaction(transaction)?.instructions[2];
    const ata = async (owner: string) =>
      (
        await findAssociatedTokenPda({
          mint,
          owner: address(owner),
          tokenProgram: TOKEN_2022_PROGRAM_ADDRESS,
        })
      )[0];
    assert.equal(transfer?.programAddress, TOKEN_2022_PROGRAM_ADDRESS);
    assert.deepEqual(transfer?.accounts, [
      await ata(payer.address),
      mint,
      await ata(requirements.payTo),
      payer.address,
    ]);
  });

  test('refuses an offer without extra.feePayer, and an asset that is not a mint', async () => {
    const client = createExactSvmClient({ signer: payer, rpc: devnet.rpcUrl });
    await assert.rejects(client.createPaymentPayload({ ...requirements, extra: {} }, { x402Version: 2 }), {
      reason: 'invalid_payment_requirements',
      message: /extra\.feePayer is missing/,
    });
    await assert.rejects(
      client.createPaymentPayload(
        { ...requirements, asset: devnet.accounts.payTo.address },
        { x402Version: 2 },
      ),
      { reason: 'invalid_payment_requirements', message: /is not a mint/ },
    );
  });
});
