import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getBase58Decoder } from '@solana/kit';
import { solanaDevnetAccount } from '@x402kit/devnet';
import { createExactSvmFacilitator } from './exact/facilitator.js';
import { createFeePayers } from './fee-payers.js';

const DEVNET = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';

describe('fee payers', () => {
  test('are advertised round-robin in /supported extra and all listed as signers', async () => {
    const [a, b] = await Promise.all([solanaDevnetAccount('feePayer'), solanaDevnetAccount('payTo')]);
    const svm = createExactSvmFacilitator({
      networks: { 'solana:devnet': { rpcUrl: 'http://127.0.0.1:1' } },
      feePayers: [a.secretKey, b.secretKey],
    });
    assert.deepEqual(svm.networks, [DEVNET]);
    assert.deepEqual(svm.getSigners(DEVNET), [a.address, b.address]);
    const advertised = [1, 2, 3, 4].map(() => svm.getExtra?.(DEVNET)?.feePayer);
    assert.deepEqual(advertised, [a.address, b.address, a.address, b.address]);
  });

  test('take base58 or bytes, and their signer is the key pair of that address', async () => {
    const account = await solanaDevnetAccount('feePayer');
    const bytes = [...new Uint8Array(Buffer.from(account.seedHex, 'hex')), ...new Uint8Array(32)];
    const fromBase58 = createFeePayers([account.secretKey]);
    assert.equal((await fromBase58.signer(account.address))?.address, account.address);
    assert.equal(fromBase58.signer('11111111111111111111111111111111'), undefined);
    // a key whose public half does not match its seed is refused when first used
    const wrongHalf = createFeePayers([bytes]);
    const [address] = wrongHalf.addresses;
    assert.equal(address, getBase58Decoder().decode(new Uint8Array(32)));
    await assert.rejects(wrongHalf.signer(address ?? '') ?? Promise.resolve());
  });

  test('refuse an empty list, a short key, a duplicate and a bad network, naming the field', () => {
    assert.throws(() => createFeePayers([]), { name: 'SvmConfigError', path: 'feePayers' });
    assert.throws(() => createFeePayers(['abc']), { path: 'feePayers[0]', message: /64-byte/ });
    assert.throws(() => createFeePayers(['0OIl']), { path: 'feePayers[0]', message: /base58/ });
    const key = new Uint8Array(64).fill(1);
    assert.throws(() => createFeePayers([key, key]), { path: 'feePayers[1]', message: /repeats/ });
    assert.throws(
      () => createExactSvmFacilitator({ networks: { 'eip155:1': { rpcUrl: 'http://x' } }, feePayers: [key] }),
      { path: 'networks["eip155:1"]' },
    );
    assert.throws(
      () => createExactSvmFacilitator({ networks: { [DEVNET]: { rpcUrl: 'ftp://x' } }, feePayers: [key] }),
      { path: `networks["${DEVNET}"].rpcUrl` },
    );
  });
});
