import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { TronWeb, utils as tronUtils } from 'tronweb';
import { bytesToHex, hexToBytes } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { toTronAddress, toTronHex } from './address.js';
import { checkTriggerTransaction, type ExpectedTriggerCall } from './check-trigger-transaction.js';
import type { TronTransaction } from './node-schemas.js';
import { ProtoWriter, readProtoFields } from './protobuf.js';
import {
  buildTriggerTransaction,
  decodeTriggerTransaction,
  encodeTriggerTransactionRaw,
  TronTransactionError,
  triggerRawFromJson,
  tronTransactionId,
} from './transaction.js';
import {
  recoverTronTransactionSigner,
  signTronTransaction,
  signTronTransactionId,
} from './transaction-signature.js';

const rand = (n: number) => randomBytes(n).toString('hex');
const randAddress = () => toTronAddress(`0x${rand(20)}`);
const NOW = 1_718_000_000_000;

/** A random node-style trigger transaction, its raw_data_hex and txID computed by tronweb (the oracle). */
function tronwebTransaction(owner: string, overrides: Record<string, unknown> = {}): TronTransaction {
  const value: Record<string, unknown> = {
    data: rand(4 + 32 * randomInt(0, 4)),
    owner_address: toTronHex(owner),
    contract_address: toTronHex(randAddress()),
  };
  if (randomInt(0, 2) === 1) value.call_value = randomInt(1, 2 ** 40);
  const contract: Record<string, unknown> = {
    parameter: { value, type_url: 'type.googleapis.com/protocol.TriggerSmartContract' },
    type: 'TriggerSmartContract',
  };
  if (randomInt(0, 2) === 1) contract.Permission_id = randomInt(2, 9);
  const raw: Record<string, unknown> = {
    contract: [contract],
    ref_block_bytes: rand(2),
    ref_block_hash: rand(8),
    expiration: NOW + randomInt(1, 86_400_000),
    fee_limit: randomInt(1, 15_000_000_000),
    timestamp: NOW - randomInt(0, 10_000),
    ...overrides,
  };
  if (randomInt(0, 3) === 0) raw.data = rand(randomInt(1, 20));
  const tx: Record<string, unknown> = { visible: false, raw_data: raw };
  const pb = tronUtils.transaction.txJsonToPb(tx);
  tx.raw_data_hex = tronUtils.transaction.txPbToRawDataHex(pb).toLowerCase();
  tx.txID = tronUtils.transaction.txPbToTxID(pb).replace(/^0x/, '');
  return tx as TronTransaction;
}

function expectedOf(tx: TronTransaction): ExpectedTriggerCall {
  const v = tx.raw_data.contract[0]?.parameter.value ?? {};
  return {
    owner: String(v.owner_address),
    contract: String(v.contract_address),
    data: String(v.data),
    callValue: typeof v.call_value === 'number' ? v.call_value : 0,
    maxFeeLimit: tx.raw_data.fee_limit ?? 0,
    now: NOW,
  };
}

const rejectsWith = (reason: string) => (e: unknown) =>
  e instanceof TronTransactionError && e.name === 'TronTransactionError' && e.reason === reason;

describe('TRON transactions', () => {
  it('encodes, decodes and ids transactions exactly as tronweb does', () => {
    for (let i = 0; i < 40; i++) {
      const tx = tronwebTransaction(randAddress());
      const raw = triggerRawFromJson(tx.raw_data);
      assert.equal(encodeTriggerTransactionRaw(raw), tx.raw_data_hex);
      assert.equal(tronTransactionId(tx.raw_data_hex), tx.txID);
      assert.deepEqual(decodeTriggerTransaction(tx.raw_data_hex), raw);
      const rebuilt = buildTriggerTransaction(raw);
      assert.equal(rebuilt.txID, tx.txID);
      assert.equal(tronUtils.transaction.txCheck(rebuilt), true, 'tronweb accepts our JSON');
    }
  });

  it('signs like tronweb (trx.sign) and recovers the Base58 signer', async () => {
    const tronWeb = new TronWeb({ fullHost: 'http://127.0.0.1:9' });
    for (let i = 0; i < 6; i++) {
      const key = generatePrivateKey();
      const owner = toTronAddress(privateKeyToAccount(key).address);
      const tx = tronwebTransaction(owner);
      // tronweb's own Transaction type is structurally the same JSON; it takes an unsigned one
      const unsigned = structuredClone(tx) as unknown as Parameters<typeof tronWeb.trx.sign>[0];
      const theirs = await tronWeb.trx.sign(unsigned, key.slice(2));
      if (typeof theirs === 'string') assert.fail('tronweb returned a string for a transaction');
      const ours = await signTronTransaction(tx, key);
      // same RFC 6979 signature; tronweb writes the v byte in upper case (1B/1C)
      assert.deepEqual(
        ours.signature,
        theirs.signature.map((x: string) => x.toLowerCase()),
      );
      const sig = ours.signature?.[0] ?? '';
      assert.match(sig, /^[0-9a-f]{128}(1b|1c)$/);
      assert.equal(await recoverTronTransactionSigner(tx.txID, sig), owner);
      assert.equal(await recoverTronTransactionSigner(`0x${tx.txID}`, `0x${sig}`), owner);
      assert.equal(tronUtils.crypto.ecRecover(tx.txID, sig).toLowerCase(), toTronHex(owner));
      assert.equal(await signTronTransactionId(tx.txID, key), sig);
      // re-signing does not duplicate the signature
      assert.deepEqual((await signTronTransaction(ours, key)).signature, ours.signature);
    }
  });

  it('accepts the transaction we asked for', () => {
    for (let i = 0; i < 10; i++) {
      const tx = tronwebTransaction(randAddress());
      const raw = checkTriggerTransaction(tx, expectedOf(tx));
      assert.equal(
        raw.call.contract,
        toTronAddress(String(tx.raw_data.contract[0]?.parameter.value.contract_address)),
      );
    }
  });

  it('refuses anything else with a reason code', async () => {
    const tx = tronwebTransaction(randAddress());
    const exp = expectedOf(tx);
    const check = (t: TronTransaction, e: Partial<ExpectedTriggerCall>) => () =>
      checkTriggerTransaction(t, { ...exp, ...e });
    assert.throws(check({ ...tx, txID: 'ab'.repeat(32) }, {}), rejectsWith('tron_tx_id_mismatch'));
    assert.throws(
      check({ ...tx, raw_data: { ...tx.raw_data, fee_limit: 1 } }, {}),
      rejectsWith('tron_tx_raw_data_mismatch'),
    );
    assert.throws(check(tx, { owner: randAddress() }), rejectsWith('tron_tx_owner_mismatch'));
    assert.throws(check(tx, { contract: randAddress() }), rejectsWith('tron_tx_contract_mismatch'));
    assert.throws(check(tx, { data: '0xdeadbeef' }), rejectsWith('tron_tx_data_mismatch'));
    assert.throws(
      check(tx, { callValue: BigInt(exp.callValue ?? 0) + 1n }),
      rejectsWith('tron_tx_call_value_mismatch'),
    );
    assert.throws(
      check(tx, { maxFeeLimit: BigInt(exp.maxFeeLimit) - 1n }),
      rejectsWith('tron_tx_fee_limit_too_high'),
    );
    assert.throws(check(tx, { now: (tx.raw_data.expiration ?? 0) + 1 }), rejectsWith('tron_tx_expired'));
    const perm = tx.raw_data.contract[0]?.Permission_id ?? 0;
    assert.throws(check(tx, { permissionId: perm + 1 }), rejectsWith('tron_tx_permission_mismatch'));

    // TRC-10 token value smuggled in: built by tronweb, so id and JSON are consistent
    const withToken = tronwebTransaction(exp.owner);
    const v = withToken.raw_data.contract[0]?.parameter.value ?? {};
    const tokenRaw = {
      ...triggerRawFromJson(withToken.raw_data),
      call: { ...triggerRawFromJson(withToken.raw_data).call, callTokenValue: 5n, tokenId: 1000001n },
    };
    const tokenTx = buildTriggerTransaction(tokenRaw);
    assert.throws(
      () => checkTriggerTransaction(tokenTx, { ...expectedOf(withToken), data: String(v.data), now: NOW }),
      rejectsWith('tron_tx_token_value'),
    );

    // a TRX transfer is not a TriggerSmartContract
    const transfer: Record<string, unknown> = {
      visible: false,
      raw_data: {
        contract: [
          {
            parameter: {
              value: {
                amount: 1000,
                owner_address: toTronHex(exp.owner),
                to_address: toTronHex(randAddress()),
              },
              type_url: 'type.googleapis.com/protocol.TransferContract',
            },
            type: 'TransferContract',
          },
        ],
        ref_block_bytes: '0102',
        ref_block_hash: '0102030405060708',
        expiration: NOW + 60_000,
        timestamp: NOW,
      },
    };
    const pb = tronUtils.transaction.txJsonToPb(transfer);
    const transferHex = tronUtils.transaction.txPbToRawDataHex(pb).toLowerCase();
    assert.throws(() => decodeTriggerTransaction(transferHex), rejectsWith('tron_tx_contract_type'));

    assert.throws(
      () => decodeTriggerTransaction(tx.raw_data_hex.slice(0, -4)),
      rejectsWith('tron_tx_malformed'),
    );
    assert.throws(
      () => decodeTriggerTransaction(`${tx.raw_data_hex}f807aa`),
      rejectsWith('tron_tx_malformed'),
    ); // field 127
    assert.throws(() => decodeTriggerTransaction('zz'), rejectsWith('tron_tx_malformed'));
    assert.throws(() => decodeTriggerTransaction(''), rejectsWith('tron_tx_malformed'));
    // the same contract twice: what would the signature authorize? refuse
    const doubled = new ProtoWriter();
    for (const f of readProtoFields(hexToBytes(`0x${tx.raw_data_hex}`))) {
      if (f.wire === 'varint') doubled.varint(f.field, f.value);
      else {
        doubled.bytes(f.field, f.bytes);
        if (f.field === 11) doubled.bytes(11, f.bytes);
      }
    }
    assert.throws(
      () => decodeTriggerTransaction(bytesToHex(doubled.finish())),
      rejectsWith('tron_tx_malformed'),
    );

    await assert.rejects(
      signTronTransaction({ ...tx, txID: 'ab'.repeat(32) }, generatePrivateKey()),
      rejectsWith('tron_tx_id_mismatch'),
    );
    await assert.rejects(signTronTransaction(tx, '0x1234'), rejectsWith('invalid_tron_private_key'));
    await assert.rejects(
      signTronTransactionId(tx.txID, `0x${'00'.repeat(32)}`),
      rejectsWith('invalid_tron_private_key'),
    );
    await assert.rejects(
      recoverTronTransactionSigner(tx.txID, 'abcd'),
      rejectsWith('invalid_tron_signature'),
    );
    await assert.rejects(
      recoverTronTransactionSigner(tx.txID, '00'.repeat(65)),
      rejectsWith('invalid_tron_signature'),
    );
    await assert.rejects(
      recoverTronTransactionSigner('12', 'ab'.repeat(65)),
      rejectsWith('tron_tx_malformed'),
    );
  });
});
