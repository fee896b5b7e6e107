import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Hex,
  hashTypedData,
  parseSignature,
  serializeCompactSignature,
  signatureToCompactSignature,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { batchSettlementDomain } from './channel.js';
import { voucherTypes } from './constants.js';
import { createVoucherSignatureCheck } from './voucher-signature.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const channelId: Hex = `0x${'11'.repeat(32)}`;
const voucher = (maxClaimableAmount: bigint) =>
  ({
    domain: batchSettlementDomain(84532),
    types: voucherTypes,
    primaryType: 'Voucher',
    message: { channelId, maxClaimableAmount },
  }) as const;

describe('voucher signature check (cached public keys)', () => {
  const payer = privateKeyToAccount(generatePrivateKey());
  const stranger = privateKeyToAccount(generatePrivateKey());

  it('accepts what ecrecover accepts, first (recovered) and later (cached key), in both encodings', async () => {
    const check = createVoucherSignatureCheck();
    for (let amount = 1n; amount <= 40n; amount++) {
      const signature = await payer.signTypedData(voucher(amount));
      const digest = hashTypedData(voucher(amount));
      assert.equal(await check(digest, signature, payer.address), true, `65-byte voucher ${amount}`);
      const compact = serializeCompactSignature(signatureToCompactSignature(parseSignature(signature)));
      assert.equal(await check(digest, compact, payer.address), true, `EIP-2098 voucher ${amount}`);
    }
  });

  it('refuses another digest, another signer, a flipped recovery bit, the high-s twin and junk', async () => {
    const check = createVoucherSignatureCheck();
    for (let amount = 1n; amount <= 40n; amount++) {
      const signature = await payer.signTypedData(voucher(amount));
      const digest = hashTypedData(voucher(amount));
      await check(digest, signature, payer.address); // the key is cached from here on
      const v = signature.slice(130) === '1b' ? '1c' : '1b';
      const highS = (N - BigInt(`0x${signature.slice(66, 130)}`)).toString(16).padStart(64, '0');
      const refused: Array<[string, Hex, Hex, Hex]> = [
        ['other digest', hashTypedData(voucher(amount + 1000n)), signature, payer.address],
        ['other signer', digest, signature, stranger.address],
        ['flipped v', digest, `0x${signature.slice(2, 130)}${v}`, payer.address],
        ['high-s twin', digest, `${signature.slice(0, 66)}${highS}${v}` as Hex, payer.address],
        ['r = 0', digest, `0x${'00'.repeat(32)}${signature.slice(66)}`, payer.address],
        ['v = 29', digest, `0x${signature.slice(2, 130)}1d`, payer.address],
        ['short', digest, '0x1234', payer.address],
      ];
      for (const [what, d, s, signer] of refused) {
        assert.equal(await check(d, s, signer), false, `${what} (voucher ${amount})`);
      }
    }
  });

  it('a stranger never gets cached as the payer (the first check recovers and compares)', async () => {
    const check = createVoucherSignatureCheck();
    const forged = await stranger.signTypedData(voucher(7n));
    assert.equal(await check(hashTypedData(voucher(7n)), forged, payer.address), false);
    const real = await payer.signTypedData(voucher(7n));
    assert.equal(await check(hashTypedData(voucher(7n)), real, payer.address), true);
  });
});
