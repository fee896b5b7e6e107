import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeBase64,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  encodeBase64,
  encodeJsonHeader,
  encodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  MAX_PAYMENT_HEADER_LENGTH,
} from './codec.js';
import { X402Error } from './errors.js';
import { Reasons } from './reasons.js';
import type { PaymentPayload, PaymentRequired } from './schemas.js';

const requirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  maxTimeoutSeconds: 300,
  extra: { name: 'USDC', version: '2' },
};
const paymentRequired: PaymentRequired = {
  x402Version: 2,
  error: 'Payment required',
  resource: { url: 'http://127.0.0.1/weather', description: '', mimeType: '' },
  accepts: [requirements],
};
const payload: PaymentPayload = {
  x402Version: 2,
  resource: paymentRequired.resource,
  accepted: requirements,
  payload: { signature: '0x12', authorization: { from: '0x1', to: '0x2', value: '1000' } },
};

function rejectsHeader(fn: () => unknown, pattern: RegExp): void {
  assert.throws(
    fn,
    (e: unknown) =>
      e instanceof X402Error && e.reason === 'invalid_payment_header' && pattern.test(e.message),
  );
}

describe('header codecs', () => {
  it('round-trips v2 documents and keeps unknown fields', () => {
    const withExtra = { ...payload, accepted: { ...requirements, futureField: { a: 1 } } };
    const decoded = decodePaymentSignatureHeader(encodePaymentSignatureHeader(withExtra));
    assert.deepEqual(decoded, withExtra);
    assert.deepEqual(
      decodePaymentRequiredHeader(encodePaymentRequiredHeader(paymentRequired)),
      paymentRequired,
    );
  });

  it('uses standard padded base64 of UTF-8 JSON', () => {
    const text = JSON.stringify({ description: 'café ☕', plus: '>>>???' });
    const b64 = encodeBase64(text);
    assert.equal(b64, Buffer.from(text, 'utf8').toString('base64'));
    assert.match(b64, /^[A-Za-z0-9+/]*={0,2}$/);
    assert.equal(decodeBase64(b64), text);
    assert.throws(
      () => decodeBase64('eyJh-_'),
      (error: unknown) => error instanceof X402Error && error.reason === Reasons.invalidArgument,
    );
  });

  it('writes bigints as decimal strings', () => {
    assert.equal(decodeBase64(encodeJsonHeader({ v: 10n ** 20n })), '{"v":"100000000000000000000"}');
  });

  it('decodes a v1 X-PAYMENT payload', () => {
    const v1 = { x402Version: 1, scheme: 'exact', network: 'base-sepolia', payload: { signature: '0x' } };
    assert.deepEqual(decodePaymentSignatureHeader(encodeJsonHeader(v1)), v1);
  });

  it('rejects garbage with a reason and a message naming the problem', () => {
    rejectsHeader(() => decodePaymentSignatureHeader(''), /empty/);
    rejectsHeader(() => decodePaymentSignatureHeader('%%%not-base64%%%'), /not standard base64/);
    rejectsHeader(() => decodePaymentSignatureHeader('eyJh-_'), /not standard base64/);
    rejectsHeader(
      () => decodePaymentSignatureHeader(encodeBase64('not json')),
      /not standard base64 of a JSON/,
    );
    rejectsHeader(
      () => decodePaymentSignatureHeader(encodeJsonHeader([1, 2])),
      /does not match the x402 schema/,
    );
    rejectsHeader(() => decodePaymentSignatureHeader(encodeJsonHeader({ x402Version: 3 })), /x402Version/);
    rejectsHeader(
      () =>
        decodePaymentSignatureHeader(
          encodeJsonHeader({ ...payload, accepted: { ...requirements, amount: 1000 } }),
        ),
      /accepted\.amount/,
    );
    rejectsHeader(
      () =>
        decodePaymentSignatureHeader(
          encodeJsonHeader({ ...payload, accepted: { ...requirements, amount: '-1' } }),
        ),
      /atomic units/,
    );
  });

  it('caps the size before decoding', () => {
    const huge = encodeJsonHeader({ ...payload, payload: { pad: 'x'.repeat(MAX_PAYMENT_HEADER_LENGTH) } });
    rejectsHeader(() => decodePaymentSignatureHeader(huge), /limit is 16384/);
    rejectsHeader(
      () => decodePaymentSignatureHeader(encodeJsonHeader(payload), { maxLength: 10 }),
      /limit is 10/,
    );
  });

  it('validates a settlement response', () => {
    const ok = { success: true, transaction: '0xabc', network: 'eip155:84532', payer: '0x1' };
    assert.deepEqual(decodePaymentResponseHeader(encodeJsonHeader(ok)), ok);
    rejectsHeader(() => decodePaymentResponseHeader(encodeJsonHeader({ success: 'yes' })), /success/);
  });
});
