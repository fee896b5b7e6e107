import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildPaymentPermitDomain, paymentPermitTypes } from '@x402kit/payment-permit';
import { TronWeb } from 'tronweb';
import { encodeAbiParameters, parseAbiParameters } from 'viem';
import type { TronDevnet } from './start-tron-devnet.js';
import { startTronDevnet, tronDevnetAccount } from './start-tron-devnet.js';
import { tronAddressToEvm } from './tron-address.js';
import type { TronNode } from './tron-node.js';
import { startTronNode } from './tron-node.js';

type Json = Record<string, unknown>;

const PERMIT_SELECTOR =
  'permitTransferFrom(((uint8,bytes16,uint256,uint256,uint256),address,address,(address,uint256,address),(address,uint256)),address,bytes)';

function text(hex: unknown): string {
  return Buffer.from(String(hex), 'hex').toString('utf8');
}

function amount(result: { constant_result?: string[] }): bigint {
  const word = result.constant_result?.[0];
  assert.ok(word !== undefined, 'no constant_result');
  return BigInt(`0x${word}`);
}

/** Full signed transaction protobuf: field 1 raw_data, field 2 each signature. */
function signedHex(tx: { raw_data_hex: string; signature: string[] }): string {
  const field = (tag: string, hex: string) => {
    let length = hex.length / 2;
    let varint = '';
    while (length >= 0x80) {
      varint += ((length & 0x7f) | 0x80).toString(16).padStart(2, '0');
      length >>>= 7;
    }
    return tag + varint + length.toString(16).padStart(2, '0') + hex;
  };
  return field('0a', tx.raw_data_hex) + tx.signature.map((s) => field('12', s)).join('');
}

describe('local TRON node with real TronWeb', () => {
  let devnet: TronDevnet;
  let tw: TronWeb;
  let usdt: string;
  let permit: string;
  const payer = tronDevnetAccount(1);
  const payTo = tronDevnetAccount(2);
  const facilitator = tronDevnetAccount(3);
  const stranger = tronDevnetAccount(7);
  let approveTx: Json;

  before(async () => {
    devnet = await startTronDevnet();
    tw = new TronWeb({ fullHost: devnet.fullHost, privateKey: payer.privateKey });
    usdt = devnet.assets.USDT.address;
    permit = devnet.contracts.paymentPermit;
  });
  after(async () => {
    const unknown = devnet ? [...devnet.node.unknownPaths] : [];
    await devnet?.stop();
    assert.deepEqual(unknown, [], `TronWeb called paths the node does not implement: ${unknown.join(', ')}`);
  });

  /** `signer` builds USDT's `method(to, value)` (unsigned) through TronWeb's triggerSmartContract. */
  const usdtCall = (
    signer: TronWeb,
    method: 'approve' | 'transfer',
    to: string,
    value: string,
    options: Parameters<TronWeb['transactionBuilder']['triggerSmartContract']>[2],
  ) =>
    signer.transactionBuilder.triggerSmartContract(usdt, `${method}(address,uint256)`, options, [
      { type: 'address', value: to },
      { type: 'uint256', value },
    ]);

  /** USDT's allowance(payer, PaymentPermit), read through TronWeb's triggerConstantContract. */
  const permitAllowance = () =>
    tw.transactionBuilder.triggerConstantContract(usdt, 'allowance(address,address)', {}, [
      { type: 'address', value: payer.address },
      { type: 'address', value: permit },
    ]);

  test('describe() is JSON-able and lists Base58 contracts, assets and keys', () => {
    const description = JSON.parse(JSON.stringify(devnet.describe())) as Json;
    assert.equal(description.chainId, 3448148188);
    assert.deepEqual(description.contracts, { paymentPermit: 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH' });
    assert.deepEqual(description.assets, {
      USDT: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf',
      USDD: 'TGjgvdTWWrybVLaVeFqSyVqJQWjxqRYbaK',
    });
    assert.equal(tw.address.fromPrivateKey(payer.privateKey), payer.address);
  });

  test('triggerConstantContract reads balanceOf and allowance', async () => {
    const balance = await tw.transactionBuilder.triggerConstantContract(usdt, 'balanceOf(address)', {}, [
      { type: 'address', value: payer.address },
    ]);
    assert.equal(balance.result.result, true);
    assert.equal(amount(balance), 1000n * 10n ** 6n);
    const allowance = await permitAllowance();
    assert.equal(amount(allowance), 0n);
    const usdd = await tw.transactionBuilder.triggerConstantContract(
      devnet.assets.USDD.address,
      'decimals()',
      {},
      [],
    );
    assert.equal(amount(usdd), 18n);
  });

  test('approve: triggerSmartContract → sign → sendRawTransaction → SUCCESS, allowance set, TRX burned', async () => {
    const before = await tw.trx.getAccount(payer.address);
    const built = await usdtCall(tw, 'approve', permit, '5000000', { feeLimit: 100_000_000 });
    assert.equal(built.result.result, true);
    const signed = await tw.trx.sign(built.transaction);
    approveTx = signed as unknown as Json;
    const sent = await tw.trx.sendRawTransaction(signed);
    assert.equal(sent.result, true, JSON.stringify(sent));
    assert.equal(sent.txid, built.transaction.txID);
    const info = (await tw.trx.getTransactionInfo(sent.txid)) as unknown as Json & {
      receipt: Json;
      fee: number;
    };
    assert.equal(info.receipt.result, 'SUCCESS');
    assert.ok(Number(info.blockNumber) > 0 && Number(info.blockTimeStamp) > 1_600_000_000_000);
    assert.ok(Number(info.receipt.energy_usage_total) > 0);
    assert.equal(info.fee, Number(info.receipt.energy_usage_total) * 100);
    const allowance = await permitAllowance();
    assert.equal(amount(allowance), 5_000_000n);
    const afterAccount = await tw.trx.getAccount(payer.address);
    assert.equal(Number(before.balance) - Number(afterAccount.balance), info.fee);
    const tx = (await tw.trx.getTransaction(sent.txid)) as unknown as Json & { ret: Json[] };
    assert.equal(tx.ret[0]?.contractRet, 'SUCCESS');
  });

  test('USDT transfer succeeds although the token returns no bool (contract().at() over getcontract)', async () => {
    const before = await devnet.balances(payTo.address);
    const contract = await tw.contract().at(usdt);
    const txid = await contract.transfer(payTo.address, 2_000_000).send({ feeLimit: 100_000_000 });
    const info = (await tw.trx.getTransactionInfo(txid)) as unknown as Json & { receipt: Json; log: Json[] };
    assert.equal(info.receipt.result, 'SUCCESS');
    assert.deepEqual(info.contractResult, ['']);
    assert.equal(info.log.length, 1);
    assert.equal(info.log[0]?.address, tronAddressToEvm(usdt).slice(2).toLowerCase());
    const afterBalances = await devnet.balances(payTo.address);
    assert.equal(afterBalances.USDT - before.USDT, 2_000_000n);
    assert.equal(await contract.decimals().call(), 6n);
  });

  test('PaymentPermit permitTransferFrom by the caller with a TronWeb TIP-712 signature moves USDT', async () => {
    const now = Math.floor(Date.now() / 1000);
    const message = {
      meta: {
        kind: 0,
        paymentId: '0x00112233445566778899aabbccddeeff',
        nonce: '777',
        validAfter: now - 60,
        validBefore: now + 3600,
      },
      buyer: payer.address,
      caller: facilitator.address,
      payment: { payToken: usdt, payAmount: '1000000', payTo: payTo.address },
      fee: { feeTo: facilitator.address, feeAmount: '100000' },
    };
    // TronWeb wants mutable field arrays and takes the Base58 verifying contract.
    const types = Object.fromEntries(
      Object.entries(paymentPermitTypes).map(([name, fields]) => [name, [...fields]]),
    );
    const domain = {
      ...buildPaymentPermitDomain(3448148188, tronAddressToEvm(permit)),
      verifyingContract: permit,
    };
    const signature = await tw.trx._signTypedData(domain, types, message, payer.privateKey);
    const evm = (a: string) => tronAddressToEvm(a);
    const parameter = encodeAbiParameters(
      parseAbiParameters(
        '((uint8,bytes16,uint256,uint256,uint256),address,address,(address,uint256,address),(address,uint256)), address, bytes',
      ),
      [
        [
          [0, '0x00112233445566778899aabbccddeeff', 777n, BigInt(now - 60), BigInt(now + 3600)],
          evm(payer.address),
          evm(facilitator.address),
          [evm(usdt), 1_000_000n, evm(payTo.address)],
          [evm(facilitator.address), 100_000n],
        ],
        evm(payer.address),
        `0x${signature.replace(/^0x/, '')}`,
      ],
    );
    const before = {
      payTo: await devnet.balances(payTo.address),
      fee: await devnet.balances(facilitator.address),
    };
    const caller = new TronWeb({ fullHost: devnet.fullHost, privateKey: facilitator.privateKey });
    const built = await caller.transactionBuilder.triggerSmartContract(
      permit,
      PERMIT_SELECTOR,
      { feeLimit: 1_000_000_000, rawParameter: parameter.slice(2) },
      [],
      facilitator.address,
    );
    const sent = await caller.trx.sendRawTransaction(await caller.trx.sign(built.transaction));
    assert.equal(sent.result, true, JSON.stringify(sent));
    const info = (await caller.trx.getTransactionInfo(sent.txid)) as unknown as Json & {
      receipt: Json;
      log: Json[];
    };
    assert.equal(info.receipt.result, 'SUCCESS', JSON.stringify(info));
    assert.equal(info.log.length, 3); // Transfer (payment), Transfer (fee), PermitTransfer
    const afterPayTo = await devnet.balances(payTo.address);
    const afterFee = await devnet.balances(facilitator.address);
    assert.equal(afterPayTo.USDT - before.payTo.USDT, 1_000_000n);
    assert.equal(afterFee.USDT - before.fee.USDT, 100_000n);
    assert.ok(afterFee.TRX < before.fee.TRX, 'the caller paid the energy in TRX');
  });

  test('a reverting call is FAILED/REVERT on chain and still burns its energy', async () => {
    const before = await devnet.balances(stranger.address);
    const tw7 = new TronWeb({ fullHost: devnet.fullHost, privateKey: stranger.privateKey });
    const built = await usdtCall(tw7, 'transfer', payTo.address, (10n ** 15n).toString(), {
      feeLimit: 100_000_000,
    });
    const sent = await tw7.trx.sendRawTransaction(await tw7.trx.sign(built.transaction));
    assert.equal(sent.result, true);
    const info = (await tw7.trx.getTransactionInfo(sent.txid)) as unknown as Json & {
      receipt: Json;
      fee: number;
    };
    assert.equal(info.result, 'FAILED');
    assert.equal(info.receipt.result, 'REVERT');
    assert.equal(text(info.resMessage), 'REVERT opcode executed');
    const afterBalances = await devnet.balances(stranger.address);
    assert.equal(before.TRX - afterBalances.TRX, BigInt(info.fee));
    await assert.rejects(
      tw7.transactionBuilder.triggerConstantContract(usdt, 'transfer(address,uint256)', {}, [
        { type: 'address', value: payTo.address },
        { type: 'uint256', value: (10n ** 15n).toString() },
      ]),
      /REVERT opcode executed/,
    );
  });

  test('a fee_limit too small for the call ends OUT_OF_ENERGY and burns the whole limit', async () => {
    const built = await usdtCall(tw, 'transfer', payTo.address, '1', { feeLimit: 50_000 });
    const sent = await tw.trx.sendRawTransaction(await tw.trx.sign(built.transaction));
    const info = (await tw.trx.getTransactionInfo(sent.txid)) as unknown as Json & {
      receipt: Json;
      fee: number;
    };
    assert.equal(info.receipt.result, 'OUT_OF_ENERGY');
    assert.equal(info.fee, 50_000);
  });

  test('SIGERROR for a transaction signed by another key', async () => {
    const built = await usdtCall(tw, 'approve', permit, '1', { feeLimit: 100_000_000 });
    const forged = tw.utils.crypto.signTransaction(stranger.privateKey, { ...built.transaction });
    const sent = (await tw.trx.sendRawTransaction(forged)) as unknown as Json;
    assert.equal(sent.result, undefined);
    assert.equal(sent.code, 'SIGERROR');
    assert.match(
      text(sent.message),
      new RegExp(`signed by ${stranger.address} but it is not contained of permission`),
    );
  });

  test('DUP_TRANSACTION_ERROR when the same transaction is broadcast again', async () => {
    const sent = (await tw.trx.sendRawTransaction(approveTx as never)) as unknown as Json;
    assert.equal(sent.code, 'DUP_TRANSACTION_ERROR');
    assert.equal(text(sent.message), 'Transaction already exists.');
  });

  test('TRANSACTION_EXPIRATION_ERROR for an expired transaction', async () => {
    const ref = await tw.trx.getCurrentRefBlockParams();
    const built = await usdtCall(tw, 'approve', permit, '2', {
      feeLimit: 100_000_000,
      txLocal: true,
      blockHeader: { ...ref, expiration: Date.now() - 1000, timestamp: Date.now() - 61_000 },
    });
    const sent = (await tw.trx.sendRawTransaction(await tw.trx.sign(built.transaction))) as unknown as Json;
    assert.equal(sent.code, 'TRANSACTION_EXPIRATION_ERROR');
  });

  test('broadcasthex accepts a signed protobuf; raw data calls and visible=true work too', async () => {
    const data = `a9059cbb${tronAddressToEvm(payTo.address).slice(2).toLowerCase().padStart(64, '0')}${1n.toString(16).padStart(64, '0')}`;
    const response = await fetch(`${devnet.fullHost}/wallet/triggersmartcontract`, {
      method: 'POST',
      body: JSON.stringify({
        owner_address: payer.address,
        contract_address: usdt,
        data,
        fee_limit: 100_000_000,
        visible: true,
      }),
    });
    const built = (await response.json()) as {
      transaction: Json & { raw_data: { contract: { parameter: { value: Json } }[] } };
    };
    assert.equal(built.transaction.visible, true);
    assert.equal(built.transaction.raw_data.contract[0]?.parameter.value.owner_address, payer.address);
    const signed = await tw.trx.sign(built.transaction as never);
    const sent = (await tw.trx.sendHexTransaction(signedHex(signed as never))) as unknown as Json;
    assert.equal(sent.result, true, JSON.stringify(sent));
    const info = (await tw.trx.getTransactionInfo(String(sent.txid))) as unknown as Json & { receipt: Json };
    assert.equal(info.receipt.result, 'SUCCESS');
  });

  test('blocks: TRON ids, ms timestamps, getblockbynum and getchainparameters', async () => {
    const head = (await tw.trx.getCurrentBlock()) as unknown as {
      blockID: string;
      block_header: { raw_data: Json };
    };
    const number = Number(head.block_header.raw_data.number);
    assert.equal(head.blockID.slice(0, 16), number.toString(16).padStart(16, '0'));
    assert.ok(Math.abs(Number(head.block_header.raw_data.timestamp) - Date.now()) < 60_000);
    const same = (await tw.trx.getBlockByNumber(number)) as unknown as { blockID: string };
    assert.equal(same.blockID, head.blockID);
    const parameters = await tw.trx.getChainParameters();
    assert.ok(
      parameters.some((p: { key: string; value?: number }) => p.key === 'getEnergyFee' && p.value === 100),
    );
    assert.deepEqual(await tw.trx.getAccount(tronDevnetAccount(42).address), {});
  });
});

describe('local TRON node: solidification lag and bad requests', () => {
  let devnet: TronDevnet;
  let lagging: TronNode;

  before(async () => {
    devnet = await startTronDevnet({ fundTokensWith: 10n });
    lagging = await startTronNode({ rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, solidityLag: 2 });
  });
  after(async () => {
    await lagging?.stop();
    await devnet?.stop();
  });

  test('/walletsolidity answers {} until the block is 2 blocks deep', async () => {
    const payer = devnet.accounts.payer;
    const tw = new TronWeb({ fullHost: lagging.url, privateKey: payer.privateKey });
    const built = await tw.transactionBuilder.triggerSmartContract(
      devnet.assets.USDT.address,
      'approve(address,uint256)',
      { feeLimit: 100_000_000 },
      [
        { type: 'address', value: devnet.contracts.paymentPermit },
        { type: 'uint256', value: '1' },
      ],
    );
    const sent = await tw.trx.sendRawTransaction(await tw.trx.sign(built.transaction));
    assert.deepEqual(await tw.trx.getTransactionInfo(sent.txid), {});
    const unconfirmed = (await tw.trx.getUnconfirmedTransactionInfo(sent.txid)) as unknown as {
      receipt: Json;
    };
    assert.equal(unconfirmed.receipt.result, 'SUCCESS');
    await fetch(devnet.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"anvil_mine","params":["0x2"]}',
    });
    const solid = (await tw.trx.getTransactionInfo(sent.txid)) as unknown as { receipt: Json };
    assert.equal(solid.receipt.result, 'SUCCESS');
  });

  test('bad requests get TRON-like error JSON; unknown paths 404 and are recorded', async () => {
    const post = async (path: string, body: string) => {
      const response = await fetch(`${lagging.url}${path}`, { method: 'POST', body });
      return { status: response.status, json: (await response.json()) as Json };
    };
    const garbage = await post('/wallet/triggerconstantcontract', '{nope');
    assert.equal(garbage.status, 200);
    assert.match(String(garbage.json.Error), /not JSON/);
    const badAddress = await post('/wallet/getaccount', JSON.stringify({ address: 'T123' }));
    assert.match(String(badAddress.json.Error), /invalid address/);
    const noSig = await post('/wallet/broadcasttransaction', JSON.stringify({ raw_data: {} }));
    assert.ok(typeof noSig.json.Error === 'string');
    assert.deepEqual(
      (await post('/wallet/gettransactioninfobyid', JSON.stringify({ value: 'ab'.repeat(32) }))).json,
      {},
    );
    const unknown = await post('/wallet/nosuchthing', '{}');
    assert.equal(unknown.status, 404);
    assert.deepEqual(lagging.unknownPaths, ['POST /wallet/nosuchthing']);
  });
});
