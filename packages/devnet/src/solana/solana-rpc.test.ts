import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  Base64EncodedWireTransaction,
  KeyPairSigner,
  Rpc,
  SolanaRpcApi,
  TransactionMessageBytesBase64,
} from '@solana/kit';
import {
  address,
  createSolanaRpc,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  partiallySignTransactionMessageWithSigners,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import {
  fetchMint,
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
} from '@solana-program/token';
import { v0Message } from '@x402kit/testing/v0-message';
import { solanaDevnetAccount, solanaDevnetSigner } from './solana-accounts.js';
import type { SolanaDevnet } from './start-solana-devnet.js';
import {
  SOLANA_DEVNET_GENESIS_HASH,
  SOLANA_DEVNET_NETWORK,
  startSolanaDevnet,
} from './start-solana-devnet.js';

type Json = { result?: unknown; error?: { code: number; message: string; data?: { err?: unknown } } };

describe('local Solana RPC over litesvm', () => {
  let devnet: SolanaDevnet;
  let rpc: Rpc<SolanaRpcApi>;
  let payer: KeyPairSigner;
  let feePayer: KeyPairSigner;

  const raw = async (method: string, params?: unknown, body?: string): Promise<Json> => {
    const response = await fetch(devnet.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body ?? JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as Json;
  };

  /** TransferChecked of `amount` devnet USDC from the payer's token account to the payee's, signed by the payer. */
  const usdcTransfer = (amount: bigint) =>
    getTransferCheckedInstruction({
      source: address(devnet.accounts.payer.usdcAccount),
      mint: devnet.usdc.address,
      destination: address(devnet.accounts.payTo.usdcAccount),
      authority: payer,
      amount,
      decimals: 6,
    });

  const transfer = async (amount: bigint, signer: KeyPairSigner = payer) => {
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const createPayeeAccount = getCreateAssociatedTokenIdempotentInstruction({
      payer: signer,
      ata: address(devnet.accounts.payTo.usdcAccount),
      owner: address(devnet.accounts.payTo.address),
      mint: devnet.usdc.address,
    });
    const message = v0Message(signer, blockhash, [createPayeeAccount, usdcTransfer(amount)]);
    return signTransactionMessageWithSigners(message);
  };

  before(async () => {
    devnet = await startSolanaDevnet();
    rpc = createSolanaRpc(devnet.rpcUrl);
    payer = await solanaDevnetSigner('payer');
    feePayer = await solanaDevnetSigner('feePayer');
  });
  after(async () => {
    await devnet?.stop();
  });

  test('well-known keys are fixed and exported base58 with a 64-byte secret', async () => {
    const account = await solanaDevnetAccount('payer');
    assert.equal(account.address, payer.address);
    assert.equal(devnet.accounts.payer.address, payer.address);
    assert.equal(Buffer.from(account.seedHex, 'hex').length, 32);
    assert.match(account.secretKey, /^[1-9A-HJ-NP-Za-km-z]{80,90}$/);
    assert.notEqual(devnet.accounts.payTo.address, devnet.accounts.feePayer.address);
  });

  test('reads the USDC mint, balances and chain state through @solana/kit', async () => {
    const mint = await fetchMint(rpc, devnet.usdc.address);
    assert.equal(mint.address, '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU');
    assert.equal(mint.data.decimals, 6);
    assert.equal(mint.data.supply, 1_000_000_000n);
    const balance = await rpc.getTokenAccountBalance(address(devnet.accounts.payer.usdcAccount)).send();
    assert.deepEqual(balance.value, {
      amount: '1000000000',
      decimals: 6,
      uiAmount: 1000,
      uiAmountString: '1000',
    });
    const parsed = await rpc
      .getAccountInfo(address(devnet.accounts.payer.usdcAccount), { encoding: 'jsonParsed' })
      .send();
    assert.ok(parsed.value, 'the payer has a USDC account');
    assert.deepEqual((parsed.value.data as { parsed: { info: unknown } }).parsed.info, {
      isNative: false,
      mint: devnet.usdc.address,
      owner: payer.address,
      state: 'initialized',
      tokenAmount: { amount: '1000000000', decimals: 6, uiAmount: 1000, uiAmountString: '1000' },
    });
    assert.equal((await rpc.getBalance(feePayer.address).send()).value, 100_000_000_000n);
    assert.equal(
      (await rpc.getAccountInfo(address(devnet.accounts.feePayer.usdcAccount)).send()).value,
      null,
    );
    assert.equal(await rpc.getMinimumBalanceForRentExemption(165n).send(), 2_039_280n);
    assert.equal(await rpc.getGenesisHash().send(), SOLANA_DEVNET_GENESIS_HASH);
    assert.equal(`solana:${SOLANA_DEVNET_GENESIS_HASH.slice(0, 32)}`, SOLANA_DEVNET_NETWORK);
    const { value: latest } = await rpc.getLatestBlockhash().send();
    assert.equal((await rpc.isBlockhashValid(latest.blockhash).send()).value, true);
    const epoch = await rpc.getEpochInfo().send();
    assert.equal(epoch.absoluteSlot, await rpc.getSlot().send());
    assert.equal(epoch.blockHeight, await rpc.getBlockHeight().send());
  });

  test('a TransferChecked moves USDC, confirms, charges the fee and advances the block', async () => {
    const before = await devnet.balances(payer.address);
    const payToBefore = await devnet.balances(devnet.accounts.payTo.address);
    const slotBefore = await rpc.getSlot().send();
    const tx = await transfer(2_500_000n);
    const { value: fee } = await rpc
      .getFeeForMessage(Buffer.from(tx.messageBytes).toString('base64') as TransactionMessageBytesBase64)
      .send();
    assert.equal(fee, 5000n);
    const signature = await rpc
      .sendTransaction(getBase64EncodedWireTransaction(tx), { encoding: 'base64' })
      .send();
    assert.equal(signature, getSignatureFromTransaction(tx));
    const { value: statuses } = await rpc.getSignatureStatuses([signature]).send();
    assert.equal(statuses[0]?.confirmationStatus, 'finalized');
    assert.equal(statuses[0]?.err, null);
    const after = await devnet.balances(payer.address);
    assert.equal(before.USDC - after.USDC, 2_500_000n);
    assert.equal(before.SOL - after.SOL, 5000n);
    assert.equal((await devnet.balances(devnet.accounts.payTo.address)).USDC - payToBefore.USDC, 2_500_000n);
    assert.equal(await rpc.getSlot().send(), slotBefore + 1n);
  });

  test('a replayed signed transaction is refused with AlreadyProcessed, a stale blockhash with BlockhashNotFound', async () => {
    const tx = await transfer(1n);
    const wire = getBase64EncodedWireTransaction(tx);
    assert.equal(typeof (await raw('sendTransaction', [wire, { encoding: 'base64' }])).result, 'string');
    const replay = await raw('sendTransaction', [wire, { encoding: 'base64', skipPreflight: true }]);
    assert.equal(replay.error?.code, -32002);
    assert.equal(replay.error?.data?.err, 'AlreadyProcessed');
    const sim = await raw('simulateTransaction', [wire, { encoding: 'base64' }]);
    assert.equal((sim.result as { value: { err: unknown } }).value.err, 'AlreadyProcessed');

    const staleLifetime = { blockhash: SOLANA_DEVNET_GENESIS_HASH as never, lastValidBlockHeight: 0n };
    const stale = await signTransactionMessageWithSigners(
      v0Message(payer, staleLifetime, [usdcTransfer(1n)]),
    );
    const refused = await raw('sendTransaction', [
      getBase64EncodedWireTransaction(stale),
      { encoding: 'base64' },
    ]);
    assert.equal(refused.error?.code, -32002);
    assert.equal(refused.error?.data?.err, 'BlockhashNotFound');
  });

  test('simulates a transaction the fee payer has not signed yet; sending it unsigned is refused', async () => {
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const message = v0Message(feePayer.address, blockhash, [usdcTransfer(10n)]);
    const partial = await partiallySignTransactionMessageWithSigners(message);
    const wire = getBase64EncodedWireTransaction(partial) as Base64EncodedWireTransaction;
    const simulated = await rpc.simulateTransaction(wire, { encoding: 'base64', sigVerify: false }).send();
    assert.equal(simulated.value.err, null);
    assert.ok(
      simulated.value.logs?.some((line) => line.includes('Tokenkeg')),
      'the token program ran',
    );
    const verified = await raw('simulateTransaction', [wire, { encoding: 'base64', sigVerify: true }]);
    assert.equal(verified.error?.code, -32003);
    const sent = await raw('sendTransaction', [wire, { encoding: 'base64', skipPreflight: true }]);
    assert.equal(sent.error?.code, -32003);
    const over = await raw('simulateTransaction', [
      getBase64EncodedWireTransaction(await transfer(10_000_000_000n)),
      { encoding: 'base64' },
    ]);
    assert.deepEqual((over.result as { value: { err: unknown } }).value.err, {
      InstructionError: [1, { Custom: 1 }],
    });
  });

  test('corrupted transactions get Solana errors (never an internal error) and change nothing', async () => {
    const valid = getBase64EncodedWireTransaction(await transfer(3n));
    // Sent first, so that a corruption that happens to restore the original bytes meets AlreadyProcessed.
    assert.equal(typeof (await raw('sendTransaction', [valid, { encoding: 'base64' }])).result, 'string');
    const wire = Buffer.from(valid, 'base64');
    const before = await devnet.balances(payer.address);
    let seed = 402;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    for (let i = 0; i < 150; i++) {
      const bytes = Buffer.from(wire);
      for (let k = 0; k <= i % 4; k++) bytes[random(bytes.length)] = random(256);
      const cut = i % 7 === 0 ? bytes.subarray(0, random(bytes.length)) : bytes;
      for (const method of ['simulateTransaction', 'sendTransaction']) {
        const answer = await raw(method, [
          cut.toString('base64'),
          { encoding: 'base64', sigVerify: i % 2 === 0 },
        ]);
        if (answer.error)
          assert.ok([-32602, -32003, -32002].includes(answer.error.code), answer.error.message);
      }
    }
    assert.deepEqual(await devnet.balances(payer.address), before);
  });

  test('bad requests get JSON-RPC errors, never a crash', async () => {
    const unknown = await raw('getBlockProduction', []);
    assert.equal(unknown.error?.code, -32601);
    assert.match(unknown.error?.message ?? '', /getBlockProduction/);
    assert.deepEqual(devnet.server.unknownMethods, ['getBlockProduction']);
    for (const [method, params] of [
      ['getBalance', []],
      ['getBalance', ['not-a-key']],
      ['getBalance', [payer.address, 'confirmed']],
      ['getAccountInfo', [payer.address, { encoding: 'base64+zstd' }]],
      ['getTokenAccountBalance', [payer.address]],
      ['getMinimumBalanceForRentExemption', [-1]],
      ['getSignatureStatuses', ['abc']],
      ['getSignatureStatuses', [['abc']]],
      ['isBlockhashValid', ['0OIl']],
      ['getFeeForMessage', ['AAAA']],
      ['sendTransaction', []],
      ['sendTransaction', ['%%%', { encoding: 'base64' }]],
      ['sendTransaction', ['AQID', { encoding: 'base64' }]],
      ['simulateTransaction', ['AQID', { encoding: 'hex' }]],
      ['getLatestBlockhash', 'x'],
    ] as const) {
      const answer = await raw(method, params);
      assert.equal(
        answer.error?.code,
        -32602,
        `${method} ${JSON.stringify(params)}: ${JSON.stringify(answer)}`,
      );
    }
    assert.equal((await raw('', undefined, '{nope')).error?.code, -32700);
    assert.equal(
      (await raw('', undefined, '{"jsonrpc":"1.0","id":1,"method":"getSlot"}')).error?.code,
      -32600,
    );
    assert.equal((await raw('', undefined, '[]')).error?.code, -32600);
    const batch = (await raw(
      '',
      undefined,
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'getSlot' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
      ]),
    )) as unknown as Json[];
    assert.equal(typeof batch[0]?.result, 'number');
    assert.equal(batch[1]?.error?.code, -32601);
    assert.equal((await raw('getHealth', [])).result, 'ok');
  });
});
