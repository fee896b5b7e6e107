import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '../protocol/errors.js';
import type { PaymentPayload } from '../protocol/schemas.js';
import {
  appendPaymentIdentifier,
  checkPaymentIdentifier,
  createPaymentId,
  declarePaymentIdentifier,
  isValidPaymentId,
  PAYMENT_IDENTIFIER,
  PaymentIdentifierDeclaration,
  PaymentIdentifierEcho,
  PaymentIdentifierReasons,
  readPaymentIdentifier,
} from './payment-identifier.js';

const base: PaymentPayload = {
  x402Version: 2,
  accepted: {
    scheme: 'exact',
    network: 'eip155:1',
    amount: '1',
    asset: 'a',
    payTo: 'b',
    maxTimeoutSeconds: 60,
  },
  payload: {},
};
const withExtensions = (extensions: Record<string, unknown>): PaymentPayload => ({ ...base, extensions });

describe('payment-identifier', () => {
  it('declares {info:{required}, schema} and validates with its own schema', () => {
    const d = declarePaymentIdentifier({ required: true });
    assert.equal(d.info.required, true);
    assert.equal(d.schema.properties.id.minLength, 16);
    assert.equal(d.schema.properties.id.maxLength, 128);
    assert.deepEqual(d.schema.required, ['required']);
    assert.ok(PaymentIdentifierDeclaration.safeParse(d).success);
    assert.equal(declarePaymentIdentifier().info.required, false);
  });

  it('makes ids of pay_ + 32 hex and checks length and alphabet', () => {
    const id = createPaymentId();
    assert.match(id, /^pay_[0-9a-f]{32}$/);
    assert.ok(isValidPaymentId(id));
    assert.ok(!isValidPaymentId('short'));
    assert.ok(!isValidPaymentId('x'.repeat(129)));
    assert.ok(!isValidPaymentId('pay_0123456789abc!'));
  });

  it('appends only when declared, without mutating, keeping schema and required', () => {
    const declared = { [PAYMENT_IDENTIFIER]: declarePaymentIdentifier({ required: true }), other: { x: 1 } };
    const out = appendPaymentIdentifier(declared, 'pay_0123456789abcdef');
    assert.deepEqual(out?.[PAYMENT_IDENTIFIER], {
      ...declarePaymentIdentifier({ required: true }),
      info: { required: true, id: 'pay_0123456789abcdef' },
    });
    assert.equal(out?.other, declared.other);
    assert.equal(Reflect.get(declared[PAYMENT_IDENTIFIER].info, 'id'), undefined);
    assert.ok(PaymentIdentifierEcho.safeParse(out?.[PAYMENT_IDENTIFIER]).success);
    const plain = { other: 1 };
    assert.equal(appendPaymentIdentifier(plain), plain);
    assert.equal(appendPaymentIdentifier(undefined), undefined);
    assert.throws(() => appendPaymentIdentifier(declared, 'bad id'), X402Error);
  });

  it('reads the id of a payload: absent, valid or invalid', () => {
    assert.deepEqual(readPaymentIdentifier(base), { present: false });
    assert.deepEqual(readPaymentIdentifier({ x402Version: 1 }), { present: false });
    assert.deepEqual(
      readPaymentIdentifier(withExtensions({ [PAYMENT_IDENTIFIER]: { info: { required: true } } })),
      {
        present: false,
      },
    );
    const ok = withExtensions({
      [PAYMENT_IDENTIFIER]: { info: { required: false, id: 'pay_0123456789abcdef' } },
    });
    assert.deepEqual(readPaymentIdentifier(ok), { present: true, valid: true, id: 'pay_0123456789abcdef' });
    const bad = readPaymentIdentifier(
      withExtensions({ [PAYMENT_IDENTIFIER]: { info: { required: false, id: 'x' } } }),
    );
    assert.equal(bad.present && !bad.valid, true);
  });

  it('checks a payment against the declaration with a reason code for each refusal', () => {
    const required = declarePaymentIdentifier({ required: true });
    const optional = declarePaymentIdentifier();
    assert.equal(checkPaymentIdentifier(required, base)?.reason, PaymentIdentifierReasons.required);
    assert.equal(checkPaymentIdentifier(optional, base), undefined);
    const bad = withExtensions({ [PAYMENT_IDENTIFIER]: { info: { required: true, id: 'short' } } });
    assert.equal(checkPaymentIdentifier(optional, bad)?.reason, PaymentIdentifierReasons.invalid);
    const good = withExtensions(appendPaymentIdentifier({ [PAYMENT_IDENTIFIER]: required }) ?? {});
    assert.equal(checkPaymentIdentifier(required, good), undefined);
  });
});
