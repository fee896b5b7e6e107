/**
 * The `payment-identifier` extension (x402 v2): a client-chosen id that makes a payment
 * idempotent. The server declares it in its 402 (`{ info: { required }, schema }`); the client
 * echoes the declaration with `info.id` set; a facilitator (or server) that sees the same id again
 * answers the first result when the payload is the same, and refuses (409) when it differs.
 *
 * Wire facts (shared with the reference `@x402/extensions`): key `payment-identifier`; the id is
 * 16 to 128 characters of `[a-zA-Z0-9_-]`; the default id is `pay_` and 32 hex digits.
 */
import { z } from 'zod';
import { X402Error } from '../protocol/errors.js';
import { defineReasons } from '../protocol/reason-registry.js';
import type { AnyPaymentPayload } from '../protocol/schemas.js';

/** The extension key in `extensions`. */
export const PAYMENT_IDENTIFIER = 'payment-identifier';
/** The shortest payment id the extension accepts, in characters. */
export const PAYMENT_ID_MIN_LENGTH = 16;
/** The longest payment id the extension accepts, in characters. */
export const PAYMENT_ID_MAX_LENGTH = 128;
/** The characters a payment id may hold: letters, digits, `_` and `-`. */
export const PAYMENT_ID_PATTERN = /^[a-zA-Z0-9_-]+$/;

/** Reason codes of the extension's refusals. */
export const PaymentIdentifierReasons = defineReasons('@x402kit/core/payment-identifier', {
  /** The route requires an id and the payment carries none (HTTP 400). */
  required: 'payment_identifier_required',
  /** The payment carries an id that is not 16-128 characters of `[a-zA-Z0-9_-]` (HTTP 400). */
  invalid: 'invalid_payment_identifier',
  /** The id was already used with a different payment (HTTP 409). */
  conflict: 'payment_identifier_conflict',
});
/** A reason code of `PaymentIdentifierReasons`. */
export type PaymentIdentifierReason =
  (typeof PaymentIdentifierReasons)[keyof typeof PaymentIdentifierReasons];

/** A valid payment id. */
export const PaymentId = z
  .string()
  .min(PAYMENT_ID_MIN_LENGTH)
  .max(PAYMENT_ID_MAX_LENGTH)
  .regex(PAYMENT_ID_PATTERN, 'must contain only letters, digits, "_" and "-"');

/** The JSON Schema (2020-12) a declaration carries, so any client can check its echo. */
export const PaymentIdentifierJsonSchema = z.object({
  $schema: z.literal('https://json-schema.org/draft/2020-12/schema'),
  type: z.literal('object'),
  properties: z.object({
    required: z.object({ type: z.literal('boolean') }),
    id: z.object({
      type: z.literal('string'),
      minLength: z.number(),
      maxLength: z.number(),
      pattern: z.string().optional(),
    }),
  }),
  required: z.array(z.string()),
});
export type PaymentIdentifierJsonSchema = z.infer<typeof PaymentIdentifierJsonSchema>;

/** The server's declaration in a 402: `{ info: { required }, schema }`. */
export const PaymentIdentifierDeclaration = z.looseObject({
  info: z.looseObject({ required: z.boolean() }),
  schema: PaymentIdentifierJsonSchema,
});
export type PaymentIdentifierDeclaration = z.infer<typeof PaymentIdentifierDeclaration>;

/** The client's echo in a payment payload: `{ info: { required, id } }` (the schema may follow). */
export const PaymentIdentifierEcho = z.looseObject({
  info: z.looseObject({ required: z.boolean(), id: PaymentId }),
});
export type PaymentIdentifierEcho = z.infer<typeof PaymentIdentifierEcho>;

const JSON_SCHEMA: PaymentIdentifierJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    required: { type: 'boolean' },
    id: {
      type: 'string',
      minLength: PAYMENT_ID_MIN_LENGTH,
      maxLength: PAYMENT_ID_MAX_LENGTH,
      pattern: PAYMENT_ID_PATTERN.source,
    },
  },
  required: ['required'],
};

/**
 * The declaration a server puts in `extensions["payment-identifier"]`.
 *
 * @example
 * routes: { 'GET /report': { accepts, extensions: { [PAYMENT_IDENTIFIER]: declarePaymentIdentifier({ required: true }) } } }
 */
export function declarePaymentIdentifier(options: { required?: boolean } = {}): PaymentIdentifierDeclaration {
  return { info: { required: options.required ?? false }, schema: structuredClone(JSON_SCHEMA) };
}

/**
 * A fresh payment id: `pay_` and 32 random hex digits (Web Crypto, so browsers work too).
 *
 * @example createPaymentId() // 'pay_3f9c0b1e...'
 */
export function createPaymentId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `pay_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Is `id` a valid payment id (16-128 characters of `[a-zA-Z0-9_-]`)?
 *
 * @example isValidPaymentId('pay_0123456789abcdef') // true
 */
export function isValidPaymentId(id: string): boolean {
  return PaymentId.safeParse(id).success;
}

/**
 * The extensions of a payment payload with the client's id echoed, when the server declared the
 * extension; returned unchanged (same object) otherwise. Never mutates its input; the server's
 * `schema` and `info.required` are kept. Throws an `X402Error` (`invalid_payment_identifier`)
 * for an invalid `id`.
 *
 * @example
 * const extensions = appendPaymentIdentifier(paymentRequired.extensions, savedId)
 * // { 'payment-identifier': { info: { required: true, id: savedId }, schema: {...} } }
 */
export function appendPaymentIdentifier(
  extensions: Record<string, unknown> | undefined,
  id: string = createPaymentId(),
): Record<string, unknown> | undefined {
  const declared = extensions?.[PAYMENT_IDENTIFIER];
  if (!extensions || typeof declared !== 'object' || declared === null) return extensions;
  if (!isValidPaymentId(id)) {
    throw new X402Error(
      PaymentIdentifierReasons.invalid,
      `payment id "${id}" is invalid: use ${PAYMENT_ID_MIN_LENGTH}-${PAYMENT_ID_MAX_LENGTH} characters of letters, digits, "_" and "-"`,
    );
  }
  const base = declared as { info?: unknown };
  const info = typeof base.info === 'object' && base.info !== null ? base.info : {};
  const required = (info as { required?: unknown }).required === true;
  return { ...extensions, [PAYMENT_IDENTIFIER]: { ...base, info: { ...info, required, id } } };
}

/** What {@link readPaymentIdentifier} found. */
export type ReadPaymentIdentifierResult =
  | { present: false }
  | { present: true; valid: true; id: string }
  | { present: true; valid: false; message: string };

/**
 * The id a payment payload carries in `extensions["payment-identifier"].info.id`. A v1 payload or
 * one without the key has none; an echo whose id is missing counts as none (the client did not
 * choose one); a malformed id is `valid: false`.
 *
 * @example
 * const found = readPaymentIdentifier(payload)
 * if (found.present && found.valid) cache.get(found.id)
 */
export function readPaymentIdentifier(payload: unknown): ReadPaymentIdentifierResult {
  const extensions =
    typeof payload === 'object' && payload !== null
      ? (payload as { extensions?: unknown }).extensions
      : undefined;
  if (typeof extensions !== 'object' || extensions === null) return { present: false };
  const entry = (extensions as Record<string, unknown>)[PAYMENT_IDENTIFIER];
  if (entry === undefined) return { present: false };
  const info = typeof entry === 'object' && entry !== null ? (entry as { info?: unknown }).info : undefined;
  const id = typeof info === 'object' && info !== null ? (info as { id?: unknown }).id : undefined;
  if (id === undefined) return { present: false };
  const parsed = PaymentIdentifierEcho.safeParse(entry);
  if (parsed.success) return { present: true, valid: true, id: parsed.data.info.id };
  const reason = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  return { present: true, valid: false, message: `extensions.${PAYMENT_IDENTIFIER} is invalid: ${reason}` };
}

/** Why a payment does not meet a route's payment-identifier declaration, or `undefined` when it does. */
export type PaymentIdentifierRefusal = { reason: PaymentIdentifierReason; message: string };

/**
 * Check a payment against the server's declaration: an invalid id is refused always; a missing id
 * only when the declaration says `required: true`.
 *
 * @example
 * const refusal = checkPaymentIdentifier(route.extensions?.['payment-identifier'], payload)
 * if (refusal) return reply(400, refusal.reason)
 */
export function checkPaymentIdentifier(
  declaration: unknown,
  payload: AnyPaymentPayload,
): PaymentIdentifierRefusal | undefined {
  const found = readPaymentIdentifier(payload);
  if (found.present && !found.valid)
    return { reason: PaymentIdentifierReasons.invalid, message: found.message };
  const parsed = PaymentIdentifierDeclaration.safeParse(declaration);
  if (!found.present && parsed.success && parsed.data.info.required) {
    return {
      reason: PaymentIdentifierReasons.required,
      message: `this resource requires extensions.${PAYMENT_IDENTIFIER}.info.id (${PAYMENT_ID_MIN_LENGTH}-${PAYMENT_ID_MAX_LENGTH} characters of [a-zA-Z0-9_-]) in the payment`,
    };
  }
  return undefined;
}
