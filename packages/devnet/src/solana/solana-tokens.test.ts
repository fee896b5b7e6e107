// Devnet PYUSD, the Token-2022 mint: what clients read of it over JSON-RPC, and a TransferChecked that the
// real Token-2022 program (loaded by litesvm) runs on the accounts the devnet placed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KeyPairSigner, Rpc, SolanaRpcApi } from '@solana/kit';
import {
  address,
  createSolanaRpc,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import {
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
} from '@solana-program/token';
import { v0Message } from '@x402kit/testing/v0-message';
import { solanaDevnetSigner } from './solana-accounts.js';
import {
  associatedTokenAccount,
  SOLANA_DEVNET_PYUSD_MINT,
  SOLANA_DEVNET_USDC_MINT,
  TOKEN_2022_PROGRAM_ADDRESS,
} from './solana-tokens.js';
import type { SolanaDevnet } from './start-solana-devnet.js';
import { startSolanaDevnet } from './start-solana-devnet.js';

describe('devnet PYUSD (Token-2022)', () => {
  let devnet: SolanaDevnet;
  let rpc: Rpc<SolanaRpcApi>;
  let payer: KeyPairSigner;

  before(async () => {
    devnet = await startSolanaDevnet({ fundPyusdWith: 50n });
    rpc = createSolanaRpc(devnet.rpcUrl);
    payer = await solanaDevnetSigner('payer');
  });
  after(async () => {
    await devnet?.stop();
  });

  test('sits at its real devnet mint, owned by Token-2022, and is described beside USDC', async () => {
    assert.equal(devnet.pyusd.address, 'CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM');
    assert.equal(devnet.pyusd.tokenProgram, 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
    assert.deepEqual(devnet.describe().assets, {
      USDC: { address: SOLANA_DEVNET_USDC_MINT, decimals: 6 },
      PYUSD: { address: SOLANA_DEVNET_PYUSD_MINT, decimals: 6 },
    });
    const mint = await rpc.getAccountInfo(devnet.pyusd.address, { encoding: 'base64' }).send();
    assert.equal(mint.value?.owner, TOKEN_2022_PROGRAM_ADDRESS);
    const parsed = await rpc.getAccountInfo(devnet.pyusd.address, { encoding: 'jsonParsed' }).send();
    assert.deepEqual(parsed.value?.data, {
      program: 'spl-token-2022',
      parsed: {
        type: 'mint',
        info: {
          decimals: 6,
          freezeAuthority: null,
          isInitialized: true,
          mintAuthority: payer.address,
          supply: '50000000',
        },
      },
      space: 82n,
    });
  });

  test('the payer and payTo hold associated token accounts under Token-2022; the fee payer none', async () => {
    for (const role of ['payer', 'payTo', 'feePayer'] as const) {
      const account = devnet.accounts[role];
      assert.equal(
        account.pyusdAccount,
        await associatedTokenAccount(
          devnet.pyusd.address,
          address(account.address),
          TOKEN_2022_PROGRAM_ADDRESS,
        ),
      );
    }
    const balance = await rpc.getTokenAccountBalance(address(devnet.accounts.payer.pyusdAccount)).send();
    assert.deepEqual(balance.value, { amount: '50000000', decimals: 6, uiAmount: 50, uiAmountString: '50' });
    const empty = await rpc.getTokenAccountBalance(address(devnet.accounts.payTo.pyusdAccount)).send();
    assert.equal(empty.value.amount, '0');
    await assert.rejects(
      rpc.getTokenAccountBalance(address(devnet.accounts.feePayer.pyusdAccount)).send(),
      /could not find account/,
    );
    const parsed = await rpc
      .getAccountInfo(address(devnet.accounts.payer.pyusdAccount), { encoding: 'jsonParsed' })
      .send();
    assert.equal(parsed.value?.owner, TOKEN_2022_PROGRAM_ADDRESS);
    assert.deepEqual(parsed.value?.data, {
      program: 'spl-token-2022',
      parsed: {
        type: 'account',
        info: {
          extensions: [{ extension: 'immutableOwner' }],
          isNative: false,
          mint: devnet.pyusd.address,
          owner: payer.address,
          state: 'initialized',
          tokenAmount: { amount: '50000000', decimals: 6, uiAmount: 50, uiAmountString: '50' },
        },
      },
      space: 170n,
    });
    assert.deepEqual(await devnet.balances(payer.address), {
      SOL: 100_000_000_000n,
      USDC: 1_000_000_000n,
      PYUSD: 50_000_000n,
    });
  });

  test('Token-2022 runs TransferChecked (and an idempotent ATA create) on the placed accounts', async () => {
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const mint = devnet.pyusd.address;
    const payTo = address(devnet.accounts.payTo.address);
    const createPayeeAccount = getCreateAssociatedTokenIdempotentInstruction({
      payer,
      ata: address(devnet.accounts.payTo.pyusdAccount),
      owner: payTo,
      mint,
      tokenProgram: TOKEN_2022_PROGRAM_ADDRESS,
    });
    const transfer = getTransferCheckedInstruction(
      {
        source: address(devnet.accounts.payer.pyusdAccount),
        mint,
        destination: address(devnet.accounts.payTo.pyusdAccount),
        authority: payer,
        amount: 1234n,
        decimals: 6,
      },
      { programAddress: TOKEN_2022_PROGRAM_ADDRESS },
    );
    const message = v0Message(payer, blockhash, [createPayeeAccount, transfer]);
    const signed = await signTransactionMessageWithSigners(message);
    const signature = await rpc
      .sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: 'base64' })
      .send();
    assert.equal(signature, getSignatureFromTransaction(signed));
    assert.equal(devnet.chain.signatureStatus(signature)?.err, null);
    assert.equal((await devnet.balances(payTo)).PYUSD, 1234n);
    assert.equal((await devnet.balances(payer.address)).PYUSD, 50_000_000n - 1234n);
  });
});
