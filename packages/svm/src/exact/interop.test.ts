// Interop with the official x402 stack (@x402/core + @x402/svm 2.27) on the local Solana devnet:
// the official client's payment verified and settled by our facilitator, ours by the official
// facilitator engine, and bad transactions built by hand refused with the same reason by both.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Address, Instruction, KeyPairSigner } from '@solana/kit';
import { address } from '@solana/kit';
import { findAssociatedTokenPda, getTransferCheckedInstruction } from '@solana-program/token';
import { x402Client } from '@x402/core/client';
import { ExactSvmScheme } from '@x402/svm/exact/client';
import type { PaymentPayload } from '@x402kit/core';
import { assertSameRefusal, feePayerTransaction, SVM_PAID_RESOURCE } from '@x402kit/testing/svm-exact';
import { useSvmExactSuite } from '@x402kit/testing/svm-exact-suite';
import { setComputeUnitLimitInstruction, setComputeUnitPriceInstruction } from '../compute-budget.js';
import { MEMO_PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS } from '../programs.js';
import { SvmReasons } from '../reasons.js';
import { decodeSvmTransaction } from '../transaction.js';
import { createExactSvmClient } from './client.js';

const s = useSvmExactSuite();

const resource = SVM_PAID_RESOURCE;

async function ourPayment(): Promise<PaymentPayload> {
  const client = createExactSvmClient({ signer: s.payer, rpc: s.devnet.rpcUrl });
  const { payload } = await client.createPaymentPayload(s.requirements, { x402Version: 2 });
  return { x402Version: 2, resource, accepted: s.requirements, payload };
}

async function officialPayment(): Promise<PaymentPayload> {
  const client = new x402Client().register(
    s.devnet.network as `${string}:${string}`,
    new ExactSvmScheme(s.payer, { rpcUrl: s.devnet.rpcUrl }),
  );
  const payment = await client.createPaymentPayload({
    x402Version: 2,
    resource,
    accepts: [s.requirements as never],
  });
  return payment as unknown as PaymentPayload;
}

/** `[program, data length, account count]` of each instruction, and the signer count. */
function layout(transaction: unknown) {
  const decoded = decodeSvmTransaction(transaction);
  assert.ok(decoded, 'the transaction decodes');
  return {
    feePayer: decoded.accounts[0],
    signers: decoded.message.header.numSignerAccounts,
    instructions: decoded.instructions.map((ix) => [ix.programAddress, ix.data.length, ix.accounts.length]),
    transfer: decoded.instructions[2]?.accounts,
  };
}

describe('exact SVM interop with @x402/svm 2.27', () => {
  test("our payload has the s.official client's fields and instruction layout", async () => {
    const [mine, theirs] = await Promise.all([ourPayment(), officialPayment()]);
    assert.deepEqual(Object.keys(mine.payload), Object.keys(theirs.payload));
    assert.deepEqual(layout(mine.payload.transaction), layout(theirs.payload.transaction));
  });

  test('the s.official client pays, our facilitator verifies and settles', async () => {
    const payment = await officialPayment();
    const before = await s.devnet.balances(s.devnet.accounts.payTo.address);
    assert.deepEqual(await s.ours.verify(payment, s.requirements), { isValid: true, payer: s.payer.address });
    const settled = await s.ours.settle(payment, s.requirements);
    assert.equal(settled.success, true, JSON.stringify(settled));
    assert.equal(settled.payer, s.payer.address);
    assert.deepEqual(s.devnet.chain.signatureStatus(settled.transaction)?.err, null);
    assert.equal((await s.devnet.balances(s.devnet.accounts.payTo.address)).USDC - before.USDC, 1000n);
  });

  test('our client pays, the s.official facilitator verifies and settles', async () => {
    const payment = await ourPayment();
    const before = await s.devnet.balances(s.devnet.accounts.payTo.address);
    const verified = await s.official.verify(payment as never, s.requirements as never);
    assert.equal(verified.isValid, true, JSON.stringify(verified));
    assert.equal(verified.payer, s.payer.address);
    const settled = await s.official.settle(payment as never, s.requirements as never);
    assert.equal(settled.success, true, JSON.stringify(settled));
    assert.deepEqual(s.devnet.chain.signatureStatus(settled.transaction)?.err, null);
    assert.equal((await s.devnet.balances(s.devnet.accounts.payTo.address)).USDC - before.USDC, 1000n);
    assert.deepEqual(s.devnet.server.unknownMethods, []);
  });

  describe('bad transactions get the same reason from both facilitators', () => {
    const usdc = () => s.devnet.usdc.address;
    const ata = async (mint: Address, owner: Address) =>
      (await findAssociatedTokenPda({ mint, owner, tokenProgram: TOKEN_PROGRAM_ADDRESS }))[0];
    const memo = (): Instruction => ({
      programAddress: MEMO_PROGRAM_ADDRESS,
      data: new TextEncoder().encode(crypto.randomUUID()),
    });
    async function transfer(
      fields: {
        mint?: Address;
        destination?: Address;
        authority?: KeyPairSigner | Address;
        amount?: bigint;
        owner?: Address;
      } = {},
    ) {
      const mint = fields.mint ?? usdc();
      const authority = fields.authority ?? s.payer;
      const owner = fields.owner ?? (typeof authority === 'string' ? authority : authority.address);
      return getTransferCheckedInstruction({
        source: await ata(mint, owner),
        mint,
        destination: fields.destination ?? (await ata(mint, address(s.devnet.accounts.payTo.address))),
        authority,
        amount: fields.amount ?? 1000n,
        decimals: 6,
      });
    }
    const build = (instructions: Instruction[]) =>
      feePayerTransaction(s.devnet.rpcUrl, s.feePayer.address, instructions);
    const budget = (price = 1n) => [
      setComputeUnitLimitInstruction(20_000),
      setComputeUnitPriceInstruction(price),
    ];
    const cases: Array<[string, () => Promise<string>, string]> = [
      [
        'the fee s.payer as transfer authority',
        async () => build([...budget(), await transfer({ authority: s.feePayer.address }), memo()]),
        SvmReasons.feePayerTransferringFunds,
      ],
      [
        'a wrong mint',
        async () =>
          build([
            ...budget(),
            await transfer({ mint: address('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v') }),
            memo(),
          ]),
        SvmReasons.mintMismatch,
      ],
      [
        'a wrong destination (the s.payer itself)',
        async () =>
          build([...budget(), await transfer({ destination: await ata(usdc(), s.payer.address) }), memo()]),
        SvmReasons.recipientMismatch,
      ],
      [
        'the amount off by one',
        async () => build([...budget(), await transfer({ amount: 1001n }), memo()]),
        SvmReasons.amountMismatch,
      ],
      [
        'an extra instruction (a system program call)',
        async () =>
          build([
            ...budget(),
            await transfer(),
            {
              programAddress: address('11111111111111111111111111111111'),
              data: new Uint8Array([2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
            },
          ]),
        SvmReasons.unknownFourthInstruction,
      ],
      [
        'a compute price above 5 lamports per CU',
        async () => build([...budget(5_000_001n), await transfer(), memo()]),
        SvmReasons.computePriceInstructionTooHigh,
      ],
      ['garbage base64', async () => 'this is not a transaction!', SvmReasons.transactionCouldNotBeDecoded],
      [
        'the compute budget instructions swapped',
        async () => build([...budget().reverse(), await transfer(), memo()]),
        SvmReasons.computeLimitInstruction,
      ],
    ];
    for (const [name, make, reason] of cases) {
      test(name, async () => {
        const payment = await assertSameRefusal(s, s.requirements, await make(), reason);
        const settled = await s.ours.settle(payment, s.requirements);
        assert.deepEqual([settled.success, settled.errorReason], [false, reason]);
      });
    }
  });
});
