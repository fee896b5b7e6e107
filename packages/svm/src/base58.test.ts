import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { getBase58Decoder } from '@solana/kit';
import { encodeBase58 } from '@x402kit/core';

describe('encodeBase58', () => {
  it("spells 2 000 random byte strings (addresses, signatures, leading zeros) as @solana/kit's codec does", () => {
    const kit = getBase58Decoder();
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(randomBytes(i % 3 === 0 ? 64 : 32));
      bytes.fill(0, 0, i % 5); // some leading zero bytes
      assert.equal(encodeBase58(bytes), kit.decode(bytes), Buffer.from(bytes).toString('hex'));
    }
    assert.equal(encodeBase58(new Uint8Array(32)), '11111111111111111111111111111111');
    assert.equal(encodeBase58(new Uint8Array()), '');
  });
});
