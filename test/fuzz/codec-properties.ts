/**
 * Properties of the header decoders (`@x402kit/core` protocol/codec.ts), pure and fast: whatever
 * the input (arbitrary text, base64 of arbitrary JSON, x402-shaped documents with wrong values,
 * valid headers with a character or a field changed, inputs far above the size cap), a decoder
 * returns a validated value or throws the documented `X402Error` (`invalid_payment_header`, with
 * a message), nothing else, and quickly. A valid payment header decodes to what was encoded.
 */
import assert from 'node:assert/strict';
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  encodeBase64,
  encodeJsonHeader,
  MAX_PAYMENT_HEADER_LENGTH,
  type PaymentPayload,
  Reasons,
  X402Error,
} from '@x402kit/core';
import fc from 'fast-check';
import { type FuzzCase, fuzzCase } from './fuzz-run.js';

/** Longest a decode may take, far above the real figure (well under a millisecond), far below a hang. */
const DECODE_BUDGET_MS = 1_000;

const DECODERS = [
  { name: 'PAYMENT-SIGNATURE', decode: decodePaymentSignatureHeader },
  { name: 'PAYMENT-REQUIRED', decode: decodePaymentRequiredHeader },
  { name: 'PAYMENT-RESPONSE', decode: decodePaymentResponseHeader },
] as const;

/**
 * Decode `value` with every decoder: a value, or `X402Error` with `invalid_payment_header` and a
 * message; anything else (another error class, a TypeError, a stack overflow, a slow decode) fails.
 */
export function assertDecodesOrRefuses(value: string, options?: { maxLength?: number }): void {
  for (const { name, decode } of DECODERS) {
    const started = performance.now();
    try {
      decode(value, options);
    } catch (error) {
      if (!(error instanceof X402Error)) {
        throw new Error(`${name} decoder threw ${describe(error)} instead of X402Error`);
      }
      assert.equal(error.reason, Reasons.invalidPaymentHeader, `${name}: reason`);
      assert.ok(error.message.length > 0, `${name}: an X402Error without a message`);
    }
    const elapsed = performance.now() - started;
    assert.ok(
      elapsed < DECODE_BUDGET_MS,
      `${name} took ${elapsed.toFixed(0)} ms on ${value.length} characters`,
    );
  }
}

/** A valid v2 payment (EIP-3009 shape) with arbitrary but well-typed values. */
export const validPaymentPayload: fc.Arbitrary<PaymentPayload> = fc
  .record({
    amount: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }).map(String),
    network: fc.constantFrom('eip155:84532', 'eip155:8453', 'eip155:97', 'tron:nile', 'solana:abc-DEF_1'),
    asset: hexString(20),
    payTo: hexString(20),
    maxTimeoutSeconds: fc.integer({ min: 1, max: 2 ** 31 }),
    nonce: hexString(32),
    signature: hexString(65),
    validAfter: fc.nat().map(String),
    validBefore: fc.nat().map(String),
    url: fc.webUrl(),
    // a "__proto__" key is dropped by the decoder (zod never sets a prototype from the wire), so a
    // payload carrying one does not round-trip byte for byte: leave it to the mutation properties
    extra: fc.option(
      fc.dictionary(
        fc.string().filter((key) => key !== '__proto__'),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      { nil: undefined },
    ),
  })
  .map((f) => ({
    x402Version: 2 as const,
    resource: { url: f.url },
    accepted: {
      scheme: 'exact',
      network: f.network,
      amount: f.amount,
      asset: f.asset,
      payTo: f.payTo,
      maxTimeoutSeconds: f.maxTimeoutSeconds,
      ...(f.extra === undefined ? {} : { extra: f.extra }),
    },
    payload: {
      signature: f.signature,
      authorization: {
        from: f.payTo,
        to: f.payTo,
        value: f.amount,
        validAfter: f.validAfter,
        validBefore: f.validBefore,
        nonce: f.nonce,
      },
    },
  }));

/** One change to a header string: a character replaced, inserted or removed, or a cut. */
const textMutation = fc.oneof(
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    char: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    char: fc.string({ minLength: 1, maxLength: 3, unit: 'binary' }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), char: fc.constant('') }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), char: fc.constant('') }),
);

function mutateText(text: string, m: { kind: string; at: number; char: string }): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  switch (m.kind) {
    case 'replace':
      return text.slice(0, at) + m.char + text.slice(at + 1);
    case 'insert':
      return text.slice(0, at) + m.char + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + 1);
    default:
      return text.slice(0, at);
  }
}

/** A JSON path into a payment and the value to put there (or `undefined` to delete the key). */
const fieldMutation = fc.record({
  path: fc.constantFrom(
    ['x402Version'],
    ['accepted'],
    ['accepted', 'scheme'],
    ['accepted', 'network'],
    ['accepted', 'amount'],
    ['accepted', 'asset'],
    ['accepted', 'payTo'],
    ['accepted', 'maxTimeoutSeconds'],
    ['accepted', 'extra'],
    ['payload'],
    ['payload', 'signature'],
    ['payload', 'authorization'],
    ['payload', 'authorization', 'value'],
    ['resource'],
    ['resource', 'url'],
    ['extensions'],
    ['__proto__'],
    ['constructor'],
  ),
  value: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
});

function mutateField(payload: PaymentPayload, path: readonly string[], value: unknown): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(payload));
  let target: unknown = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof target !== 'object' || target === null) return copy;
    target = Reflect.get(target, key);
  }
  if (typeof target !== 'object' || target === null) return copy;
  const last = path.at(-1) ?? '';
  if (value === undefined) Reflect.deleteProperty(target, last);
  else Object.defineProperty(target, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/**
 * The codec properties, with their `npm test` case counts (about 3 000 cases, a few seconds).
 *
 * @example for (const property of codecProperties()) await property.run()
 */
export function codecProperties(): FuzzCase[] {
  const properties: FuzzCase[] = [];
  const add = <T>(name: string, arbitrary: fc.Arbitrary<T>, check: (value: T) => void, runs: number) => {
    properties.push(fuzzCase(name, fc.property(arbitrary, check), runs));
  };

  add(
    'codec: arbitrary strings',
    fc.string({ unit: 'binary', maxLength: 400 }),
    (s) => assertDecodesOrRefuses(s),
    600,
  );
  add(
    'codec: base64-alphabet strings',
    fc.string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= '),
      maxLength: 400,
    }),
    (s) => assertDecodesOrRefuses(s),
    400,
  );
  add(
    'codec: base64 of arbitrary JSON',
    fc.jsonValue({ maxDepth: 4 }),
    (value) => assertDecodesOrRefuses(encodeBase64(JSON.stringify(value) ?? 'null')),
    500,
  );
  add(
    'codec: base64 of arbitrary text (invalid UTF-8 included)',
    fc.uint8Array({ maxLength: 300 }),
    (bytes) => assertDecodesOrRefuses(Buffer.from(bytes).toString('base64')),
    300,
  );
  add(
    'codec: x402-shaped documents with arbitrary values',
    fc.record(
      {
        x402Version: fc.oneof(fc.constantFrom(1, 2, '2', 0, 3, null), fc.jsonValue({ maxDepth: 1 })),
        accepted: fc.jsonValue({ maxDepth: 3 }),
        accepts: fc.oneof(
          fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        payload: fc.jsonValue({ maxDepth: 3 }),
        resource: fc.jsonValue({ maxDepth: 2 }),
        scheme: fc.jsonValue({ maxDepth: 1 }),
        network: fc.jsonValue({ maxDepth: 1 }),
        success: fc.jsonValue({ maxDepth: 1 }),
        transaction: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    ),
    (doc) => assertDecodesOrRefuses(encodeJsonHeader(doc)),
    500,
  );
  add(
    'codec: valid payment headers with one character changed, added, removed or cut',
    fc.tuple(validPaymentPayload, textMutation),
    ([payload, mutation]) => assertDecodesOrRefuses(mutateText(encodeJsonHeader(payload), mutation)),
    400,
  );
  add(
    'codec: valid payments with one field replaced or removed',
    fc.tuple(validPaymentPayload, fieldMutation),
    ([payload, { path, value }]) =>
      assertDecodesOrRefuses(encodeJsonHeader(mutateField(payload, path, value))),
    400,
  );
  add(
    'codec: a valid payment header decodes to what was encoded, around surrounding whitespace',
    fc.tuple(validPaymentPayload, fc.constantFrom('', ' ', '\t', '\n ')),
    ([payload, pad]) => {
      const decoded = decodePaymentSignatureHeader(`${pad}${encodeJsonHeader(payload)}${pad}`);
      assert.deepEqual(decoded, JSON.parse(JSON.stringify(payload)));
    },
    300,
  );
  add(
    'codec: huge inputs (up to 12x the cap, deep nesting, long runs)',
    fc.oneof(
      fc.record({
        kind: fc.constant('run' as const),
        length: fc.integer({ min: MAX_PAYMENT_HEADER_LENGTH - 8, max: 12 * MAX_PAYMENT_HEADER_LENGTH }),
        char: fc.constantFrom('A', '=', ' ', '\u00e9', '{'),
      }),
      fc.record({
        kind: fc.constant('nested' as const),
        length: fc.integer({ min: 1_000, max: 100_000 }),
        char: fc.constantFrom('[', '{"a":'),
      }),
    ),
    (input) => {
      if (input.kind === 'run') {
        assertDecodesOrRefuses(input.char.repeat(input.length));
        return;
      }
      const open = input.char.repeat(input.length);
      const close = (input.char === '[' ? ']' : '}').repeat(input.length);
      const header = encodeBase64(`${open}1${close}`);
      assertDecodesOrRefuses(header); // above the cap: refused before parsing
      assertDecodesOrRefuses(header, { maxLength: header.length + 1 }); // a caller that raised the cap
    },
    60,
  );
  return properties;
}

function hexString(bytes: number): fc.Arbitrary<`0x${string}`> {
  return fc
    .uint8Array({ minLength: bytes, maxLength: bytes })
    .map((b) => `0x${Buffer.from(b).toString('hex')}` as const);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error);
}
