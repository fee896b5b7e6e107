import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { X402Error } from '@x402kit/core';
import { recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { providerDeadline } from './exact-gasfree-deadline.js';
import { createExactGasFreeFacilitator } from './exact-gasfree-facilitator.js';
import {
  type ExactGasFreePermit,
  readExactGasFreePayload,
  toExactGasFreeG1,
  toExactGasFreeG2,
} from './exact-gasfree-payload.js';
import { ExactGasFreeReasons } from './exact-gasfree-reasons.js';
import { createExactGasFreeServer, feeFromGasFreeKind } from './exact-gasfree-server.js';
import { tronTransactionId } from './exact-gasfree-settle.js';
import { GasFreeError } from './gasfree-error.js';
import { GASFREE_NETWORKS, gasFreeTypedData } from './typed-data.js';

const account = privateKeyToAccount('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
const permit: ExactGasFreePermit = {
  token: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf',
  serviceProvider: 'TLntW9Z59LYY5KEi9cmwk3PKjQga828ird',
  user: 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz',
  receiver: 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb',
  value: 1_000_000n,
  maxFee: 2_000_000n,
  deadline: 1_700_000_600n,
  version: 1n,
  nonce: 0n,
};
const sig = `0x${'11'.repeat(65)}` as const;

describe('exact_gasfree wires', () => {
  test('G1 and G2 read back to the same permit; signatures without 0x are accepted', () => {
    const g1 = toExactGasFreeG1(permit, sig, permit.receiver, { paymentId: '0x01', validAfter: 5 });
    const read1 = readExactGasFreePayload(g1);
    assert.deepEqual(read1.permit, permit);
    assert.equal(read1.wire, 'g1');
    assert.equal(read1.gasFreeAddress, permit.receiver);
    const g2 = toExactGasFreeG2(permit, sig, permit.receiver);
    const read2 = readExactGasFreePayload({ ...g2, payload: { ...g2.payload, signature: sig.slice(2) } });
    assert.deepEqual(read2.permit, permit);
    assert.equal(read2.signature, sig);
    assert.equal(read2.wire, 'g2');
  });

  test('malformed payloads are invalid_exact_gasfree_payload', () => {
    const bad = (payload: Record<string, unknown>) =>
      assert.throws(
        () => readExactGasFreePayload({ payload }),
        (e: unknown) => e instanceof X402Error && e.reason === ExactGasFreeReasons.invalidPayload,
      );
    bad({ signature: sig });
    bad({ signature: '0x12', gasfree: {} });
    const g1 = toExactGasFreeG1(permit, sig, permit.receiver).payload;
    bad({ ...g1, paymentPermit: { ...(g1.paymentPermit as object), caller: permit.user } });
    bad({
      ...toExactGasFreeG2(permit, sig, permit.receiver).payload,
      gasfree: { ...permit, token: 'Tnope' },
    });
  });

  test('the TIP-712 message signs and recovers over the Nile domain', async () => {
    const typed = gasFreeTypedData({
      chainId: 3448148188,
      controller: GASFREE_NETWORKS.nile.controller,
      permit,
    });
    const signature = await account.signTypedData(typed);
    assert.equal(await recoverTypedDataAddress({ ...typed, signature }), account.address);
  });
});

describe('exact_gasfree deadline, fees and config', () => {
  const provider = {
    config: {
      minDeadlineDuration: 60,
      maxDeadlineDuration: 600,
      defaultDeadlineDuration: 180,
      maxPendingTransfer: 1,
    },
  };
  test('clamps to the provider window, refuses too soon', () => {
    const now = 1_700_000_000;
    assert.equal(
      providerDeadline({ chainId: 3448148188, requested: now + 3600, provider, now }),
      BigInt(now + 595),
    );
    assert.equal(
      providerDeadline({ chainId: 3448148188, requested: now + 300, provider, now }),
      BigInt(now + 300),
    );
    assert.throws(
      () => providerDeadline({ chainId: 3448148188, requested: now + 62, provider, now }),
      GasFreeError,
    );
  });

  test('the server reads the provider fee from the /supported kind', () => {
    const kind = {
      x402Version: 2 as const,
      scheme: 'exact_gasfree',
      network: 'tron:nile',
      extra: { fees: { [permit.token]: { feeTo: permit.serviceProvider, feeAmount: '100000' } } },
    };
    const quote = { feeTo: permit.serviceProvider, feeAmount: '100000', caller: permit.serviceProvider };
    assert.deepEqual(feeFromGasFreeKind(kind, '0xeca9bc828a3005b9a3b909f2cc5c2a54794de05f'), quote);
    const server = createExactGasFreeServer();
    const parsed = server.parsePrice('$0.01', 'tron:0xcd8690dc');
    assert.deepEqual(parsed, { amount: 10_000n, asset: permit.token });
    assert.throws(() => server.parsePrice('$0.01', 'eip155:97'), X402Error);
  });

  test('facilitator config errors name the field', () => {
    assert.throws(
      () =>
        createExactGasFreeFacilitator({ networks: { 'tron:9': { api: { baseUrl: 'http://x' } } }, fees: {} }),
      /networks\["tron:9"\]/,
    );
    assert.throws(
      () =>
        createExactGasFreeFacilitator({
          networks: { 'tron:nile': { api: { baseUrl: 'http://x' } } },
          fees: { 'tron:nile': { USDT: '1' } },
        }),
      /fees\["tron:nile"\]\["USDT"\]/,
    );
  });

  test('TRON transaction ids drop 0x and case', () => {
    assert.equal(tronTransactionId(`0x${'AB'.repeat(32)}`), 'ab'.repeat(32));
  });
});
