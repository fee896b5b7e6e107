import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Hex } from 'viem';
import { hashTypedData, keccak256, recoverTypedDataAddress, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { GasFreeError } from './gasfree-error.js';
import {
  clampGasFreeDeadline,
  GASFREE_MAINNET_CHAIN_ID,
  GASFREE_NETWORKS,
  gasFreeMaxFee,
  gasFreeTypedData,
} from './typed-data.js';

const vector = JSON.parse(
  readFileSync(new URL('../../../../test/vectors/tron-gasfree.json', import.meta.url), 'utf8'),
) as {
  typehash: Hex;
  privateKey: Hex;
  domain: { chainId: number; verifyingContract: string; verifyingContractHex: string };
  message: Record<
    'token' | 'serviceProvider' | 'user' | 'receiver' | 'value' | 'maxFee' | 'deadline' | 'version' | 'nonce',
    string
  >;
  messageHex: Record<'token' | 'serviceProvider' | 'user' | 'receiver', string>;
  digest: Hex;
  signature: Hex;
};

describe('GasFree TIP-712 typed data', () => {
  test('the section 2.2 vector: typehash, digest and signature, whatever form the addresses take', async () => {
    const typeString =
      'PermitTransfer(address token,address serviceProvider,address user,address receiver,uint256 value,' +
      'uint256 maxFee,uint256 deadline,uint256 version,uint256 nonce)';
    assert.equal(keccak256(toHex(typeString)), vector.typehash);
    const base58 = gasFreeTypedData({
      chainId: vector.domain.chainId,
      controller: vector.domain.verifyingContract,
      permit: vector.message,
    });
    const hex = gasFreeTypedData({
      chainId: vector.domain.chainId,
      controller: vector.domain.verifyingContractHex,
      permit: { ...vector.message, ...vector.messageHex, value: 1_000_000n, nonce: 0 },
    });
    const tronHex = gasFreeTypedData({
      chainId: vector.domain.chainId,
      controller: `41${vector.domain.verifyingContractHex.slice(2)}`,
      permit: { ...vector.message, user: `41${vector.messageHex.user.slice(2)}` },
    });
    for (const typed of [base58, hex, tronHex]) assert.equal(hashTypedData(typed), vector.digest);
    const account = privateKeyToAccount(vector.privateKey);
    assert.equal(await account.signTypedData(base58), vector.signature);
    assert.equal(
      await recoverTypedDataAddress({ ...base58, signature: vector.signature }),
      vector.messageHex.user,
    );
    assert.equal(base58.domain.verifyingContract.toLowerCase(), vector.domain.verifyingContractHex);
    assert.equal(GASFREE_NETWORKS.nile.controller, vector.domain.verifyingContract);
  });

  test('refuses malformed permits with gasfree_invalid_permit', () => {
    const bad = (permit: Record<string, string>) =>
      assert.throws(
        () =>
          gasFreeTypedData({
            chainId: 1,
            controller: vector.domain.verifyingContract,
            permit: { ...vector.message, ...permit },
          }),
        (e: unknown) => e instanceof GasFreeError && e.reason === 'gasfree_invalid_permit',
      );
    bad({ user: 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U' }); // fails Base58Check
    bad({ value: '-1' });
    bad({ nonce: '1.5' });
  });

  test('maxFee: max(transferFee, quote), 1 whole token when both are 0, plus activateFee when inactive', () => {
    const base = { transferFee: 100_000n, activateFee: 1_000_000n, decimals: 6 };
    assert.equal(gasFreeMaxFee({ ...base, active: true }), 100_000n);
    assert.equal(gasFreeMaxFee({ ...base, active: false }), 1_100_000n);
    assert.equal(gasFreeMaxFee({ ...base, active: true, quotedFee: 250_000n }), 250_000n);
    assert.equal(gasFreeMaxFee({ ...base, active: true, quotedFee: 50_000n }), 100_000n);
    assert.equal(gasFreeMaxFee({ ...base, transferFee: 0n, active: true }), 1_000_000n);
    assert.equal(gasFreeMaxFee({ ...base, transferFee: 0n, active: true, quotedFee: 0n }), 0n);
    assert.equal(
      gasFreeMaxFee({ transferFee: 0n, activateFee: 5n, decimals: 18, active: false }),
      10n ** 18n + 5n,
    );
  });

  test('deadline: mainnet [now+55, now+595], testnets [now+55, now+3595], below min is an error', () => {
    const now = 1_700_000_000;
    const nile = GASFREE_NETWORKS.nile.chainId;
    assert.equal(clampGasFreeDeadline({ chainId: GASFREE_MAINNET_CHAIN_ID, now }), BigInt(now + 595));
    assert.equal(clampGasFreeDeadline({ chainId: nile, now }), BigInt(now + 3595));
    assert.equal(
      clampGasFreeDeadline({ chainId: GASFREE_MAINNET_CHAIN_ID, requested: now + 3600, now }),
      BigInt(now + 595),
    );
    assert.equal(clampGasFreeDeadline({ chainId: nile, requested: now + 3600, now }), BigInt(now + 3595));
    assert.equal(clampGasFreeDeadline({ chainId: nile, requested: now + 55, now }), BigInt(now + 55));
    assert.equal(
      clampGasFreeDeadline({ chainId: nile, requested: BigInt(now + 300), now }),
      BigInt(now + 300),
    );
    assert.throws(
      () => clampGasFreeDeadline({ chainId: nile, requested: now + 54, now }),
      (e: unknown) => e instanceof GasFreeError && e.reason === 'gasfree_deadline_too_short',
    );
  });
});
