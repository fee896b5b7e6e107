// exact on SVM with a Token-2022 mint (devnet PYUSD): our client builds the transfer under Token-2022 from
// the mint's owner, and transfers that get the token program, the associated token account or the decimals
// of Token-2022 wrong are refused by our facilitator with the official facilitator's reason.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Address } from '@solana/kit';
import { address } from '@solana/kit';
import { findAssociatedTokenPda, getTransferCheckedInstruction } from '@solana-program/token';
import type { PaymentPayload } from '@x402kit/core';
import { assertSameRefusal, feePayerTransaction, SVM_PAID_RESOURCE } from '@x402kit/testing/svm-exact';
import { useSvmExactSuite } from '@x402kit/testing/svm-exact-suite';
import { setComputeUnitLimitInstruction, setComputeUnitPriceInstruction } from '../compute-budget.js';
import { MEMO_PROGRAM_ADDRESS, TOKEN_2022_PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS } from '../programs.js';
import { SvmReasons } from '../reasons.js';
import { decodeSvmTransaction } from '../transaction.js';
import { createExactSvmClient } from './client.js';

const s = useSvmExactSuite({ mint: 'pyusd' });

const resource = SVM_PAID_RESOURCE;

describe('exact SVM with a Token-2022 mint', () => {
  test("our client reads the mint's program and pays from and to the Token-2022 associated token accounts", async () => {
    const client = createExactSvmClient({ signer: s.payer, rpc: s.devnet.rpcUrl });
    const { payload } = await client.createPaymentPayload(s.requirements, { x402Version: 2 });
    const transfer = decodeSvmTransaction(payload.transaction)?.instructions[2];
    assert.equal(transfer?.programAddress, TOKEN_2022_PROGRAM_ADDRESS);
    assert.deepEqual(transfer?.accounts, [
      s.devnet.accounts.payer.pyusdAccount,
      s.devnet.pyusd.address,
      s.devnet.accounts.payTo.pyusdAccount,
      s.payer.address,
    ]);
    // TransferChecked: discriminator 12, amount 1000 (u64 LE), decimals 6
    assert.deepEqual([...transfer!.data], [12, 0xe8, 0x03, 0, 0, 0, 0, 0, 0, 6]);
    const payment: PaymentPayload = { x402Version: 2, resource, accepted: s.requirements, payload };
    assert.deepEqual(await s.ours.verify(payment, s.requirements), { isValid: true, payer: s.payer.address });
  });

  describe('bad Token-2022 transfers get the same reason from both facilitators', () => {
    const ata = async (owner: string, tokenProgram: Address) =>
      (
        await findAssociatedTokenPda({ mint: s.devnet.pyusd.address, owner: address(owner), tokenProgram })
      )[0];
    /** A TransferChecked of PYUSD by `program`, between the associated token accounts under `accountsOf`. */
    async function build(fields: {
      program: Address;
      accountsOf: Address;
      destinationOf?: Address;
      decimals: number;
    }): Promise<string> {
      const transfer = getTransferCheckedInstruction(
        {
          source: await ata(s.payer.address, fields.accountsOf),
          mint: s.devnet.pyusd.address,
          destination: await ata(s.devnet.accounts.payTo.address, fields.destinationOf ?? fields.accountsOf),
          authority: s.payer,
          amount: 1000n,
          decimals: fields.decimals,
        },
        { programAddress: fields.program },
      );
      return feePayerTransaction(s.devnet.rpcUrl, s.feePayer.address, [
        setComputeUnitLimitInstruction(20_000),
        setComputeUnitPriceInstruction(1n),
        transfer,
        { programAddress: MEMO_PROGRAM_ADDRESS, data: new TextEncoder().encode(crypto.randomUUID()) },
      ]);
    }
    const cases: Array<[string, () => Promise<string>, string]> = [
      [
        "Token-2022 to payTo's associated token account under SPL Token",
        () =>
          build({
            program: TOKEN_2022_PROGRAM_ADDRESS,
            accountsOf: TOKEN_2022_PROGRAM_ADDRESS,
            destinationOf: TOKEN_PROGRAM_ADDRESS,
            decimals: 6,
          }),
        SvmReasons.recipientMismatch,
      ],
      [
        'SPL Token with the associated token accounts SPL Token would use (the mint is Token-2022)',
        () => build({ program: TOKEN_PROGRAM_ADDRESS, accountsOf: TOKEN_PROGRAM_ADDRESS, decimals: 6 }),
        SvmReasons.simulationFailed,
      ],
      [
        'the wrong decimals',
        () =>
          build({ program: TOKEN_2022_PROGRAM_ADDRESS, accountsOf: TOKEN_2022_PROGRAM_ADDRESS, decimals: 9 }),
        SvmReasons.simulationFailed,
      ],
    ];
    for (const [name, make, reason] of cases) {
      test(name, async () => {
        await assertSameRefusal(s, s.requirements, await make(), reason);
      });
    }
  });
});
