import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reasons } from '@x402kit/core';
import { normalizeExactEvmPayload, payerOf, readExactEvmPayload } from './payload.js';

const good = {
  signature: `0x${'11'.repeat(65)}`,
  authorization: {
    from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    value: '1000',
    validAfter: '0',
    validBefore: '99999999999',
    nonce: `0x${'ab'.repeat(32)}`,
  },
};

const withAuthorization = (patch: Record<string, unknown>) => ({
  ...good,
  authorization: { ...good.authorization, ...patch },
});

describe('reading the exact EVM payload', () => {
  it('accepts a well-formed payload', () => {
    const read = readExactEvmPayload(good);
    assert.ok(read.ok);
    assert.deepEqual(read.payload, good);
    assert.equal(payerOf(good), good.authorization.from);
  });

  it('rejects malformed fields with invalid_payload, naming the field and keeping the payer when known', () => {
    const cases: Array<[Record<string, unknown>, RegExp, boolean]> = [
      [{ signature: good.signature }, /authorization must be an object/, false],
      [withAuthorization({ from: '0x1234' }), /authorization\.from/, false],
      [withAuthorization({ to: 'merchant' }), /authorization\.to/, true],
      [withAuthorization({ value: '1e3' }), /authorization\.value/, true],
      [withAuthorization({ value: 1000 }), /authorization\.value/, true],
      [withAuthorization({ value: '-1' }), /authorization\.value/, true],
      [withAuthorization({ value: (2n ** 256n).toString() }), /authorization\.value/, true],
      [withAuthorization({ validBefore: '0x10' }), /authorization\.validBefore/, true],
      [withAuthorization({ validAfter: '' }), /authorization\.validAfter/, true],
      [withAuthorization({ nonce: '0x1234' }), /nonce must be 0x followed by 64 hex/, true],
      [withAuthorization({ nonce: `0x${'zz'.repeat(32)}` }), /nonce/, true],
      [{ authorization: good.authorization, signature: 42 }, /signature/, true],
    ];
    for (const [raw, message, hasPayer] of cases) {
      const read = readExactEvmPayload(raw);
      assert.equal(read.ok, false, JSON.stringify(raw));
      if (read.ok) continue;
      assert.equal(read.reason, Reasons.invalidPayload);
      assert.match(read.message, message);
      assert.equal(read.payer, hasPayer ? good.authorization.from : undefined);
    }
  });

  it('answers unsupported_payload_type for Permit2 payloads', () => {
    const read = readExactEvmPayload({ signature: '0x', permit2Authorization: {} });
    assert.equal(read.ok, false);
    if (!read.ok) assert.equal(read.reason, Reasons.unsupportedPayloadType);
  });
});

describe('normalizeExactEvmPayload', () => {
  const accepted = {
    scheme: 'exact',
    network: 'eip155:97',
    amount: '1',
    asset: '0x375cADdd2cB68cE82e3D9B075D551067a7b4B816',
    payTo: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    maxTimeoutSeconds: 60,
  };
  const authorization = {
    from: '0x1',
    to: '0x2',
    value: '1',
    validAfter: '0',
    validBefore: '9',
    nonce: '0x3',
  };

  it('reads a BofAI payload: authorization in extensions, signature without 0x', () => {
    const bofai = {
      x402Version: 2 as const,
      accepted,
      payload: { signature: 'ab'.repeat(65) },
      extensions: { transferAuthorization: authorization },
    };
    const out = normalizeExactEvmPayload(bofai);
    assert.deepEqual(out.payload, { signature: `0x${'ab'.repeat(65)}`, authorization });
    assert.deepEqual(out.extensions, bofai.extensions);
  });

  it('leaves reference payloads and garbage untouched', () => {
    const reference = { x402Version: 2 as const, accepted, payload: { signature: '0xab', authorization } };
    assert.equal(normalizeExactEvmPayload(reference), reference);
    const odd = { x402Version: 2 as const, accepted, payload: { signature: 'xyz' } };
    assert.equal(normalizeExactEvmPayload(odd), odd);
  });
});
