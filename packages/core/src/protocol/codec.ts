/**
 * Header codecs: standard base64 (RFC 4648, `+/`, padded) of UTF-8 JSON.
 *
 * Decoding caps the size before any work, checks the alphabet, parses, then validates with the
 * wire schema, so a hostile header costs at most `maxLength` bytes of work and never reaches
 * scheme code unvalidated.
 */
import type { z } from 'zod';
import { describeIssues, X402Error } from './errors.js';
import { Reasons } from './reasons.js';
import {
  AnyPaymentPayload,
  AnyPaymentRequired,
  type PaymentRequired,
  type PaymentRequiredV1,
  SettleResponse,
} from './schemas.js';

/** Default cap on an encoded payment header, in characters (smart-wallet signatures run to a few KB). */
export const MAX_PAYMENT_HEADER_LENGTH = 16 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const NodeBuffer = (globalThis as { Buffer?: typeof import('node:buffer').Buffer }).Buffer;

/**
 * UTF-8 string -> standard base64.
 *
 * @example
 * ```ts
 * encodeBase64('{"a":1}') // 'eyJhIjoxfQ=='
 * ```
 */
export function encodeBase64(text: string): string {
  if (NodeBuffer) return NodeBuffer.from(text, 'utf8').toString('base64');
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Standard base64 -> UTF-8 string.
 *
 * @throws {X402Error} `invalid_argument` on a bad alphabet or length.
 * @example
 * ```ts
 * decodeBase64('eyJhIjoxfQ==') // '{"a":1}'
 * ```
 */
export function decodeBase64(value: string): string {
  if (value.length % 4 === 1 || !BASE64.test(value))
    throw new X402Error(Reasons.invalidArgument, 'not standard base64');
  if (NodeBuffer) return NodeBuffer.from(value, 'base64').toString('utf8');
  const binary = atob(value);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/**
 * JSON value -> base64 header value. BigInts are written as decimal strings.
 *
 * @example
 * ```ts
 * encodeJsonHeader({ amount: 1000n }) // base64 of '{"amount":"1000"}'
 * ```
 */
export function encodeJsonHeader(value: unknown): string {
  return encodeBase64(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** Options of `decodeJsonHeader`. */
export type DecodeHeaderOptions = { maxLength?: number; what?: string };

/**
 * Decode a base64 JSON header and validate it with `schema`.
 * Throws {@link X402Error} with reason `invalid_payment_header` and a message naming the problem.
 *
 * @example
 * ```ts
 * const settle = decodeJsonHeader(header, SettleResponse, { what: 'PAYMENT-RESPONSE header' });
 * ```
 */
export function decodeJsonHeader<S extends z.ZodType>(
  value: string,
  schema: S,
  options: DecodeHeaderOptions = {},
): z.infer<S> {
  const what = options.what ?? 'header';
  const maxLength = options.maxLength ?? MAX_PAYMENT_HEADER_LENGTH;
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new X402Error(Reasons.invalidPaymentHeader, `${what} is empty`);
  if (trimmed.length > maxLength) {
    throw new X402Error(
      Reasons.invalidPaymentHeader,
      `${what} is ${trimmed.length} characters; the limit is ${maxLength}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(decodeBase64(trimmed));
  } catch {
    throw new X402Error(Reasons.invalidPaymentHeader, `${what} is not standard base64 of a JSON document`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new X402Error(
      Reasons.invalidPaymentHeader,
      `${what} does not match the x402 schema: ${describeIssues(parsed.error.issues)}`,
    );
  }
  return parsed.data;
}

/**
 * Encode a 402 `PAYMENT-REQUIRED` header value.
 *
 * @example
 * ```ts
 * headers.set('PAYMENT-REQUIRED', encodePaymentRequiredHeader(paymentRequired));
 * ```
 */
export function encodePaymentRequiredHeader(value: PaymentRequired | PaymentRequiredV1): string {
  return encodeJsonHeader(value);
}
/**
 * Decode a `PAYMENT-REQUIRED` header value (v2, or a v1 document if a server sends one there).
 *
 * @example
 * ```ts
 * const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED') ?? '');
 * ```
 */
export function decodePaymentRequiredHeader(
  value: string,
  options?: DecodeHeaderOptions,
): AnyPaymentRequired {
  return decodeJsonHeader(value, AnyPaymentRequired, { what: 'PAYMENT-REQUIRED header', ...options });
}
/**
 * Encode a `PAYMENT-SIGNATURE` (v2) or `X-PAYMENT` (v1) header value.
 *
 * @example
 * ```ts
 * fetch(url, { headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) } });
 * ```
 */
export function encodePaymentSignatureHeader(value: AnyPaymentPayload): string {
  return encodeJsonHeader(value);
}
/**
 * Decode a `PAYMENT-SIGNATURE` / `X-PAYMENT` header value into a validated v2 or v1 payload.
 *
 * @example
 * ```ts
 * const payload = decodePaymentSignatureHeader(request.headers.get('PAYMENT-SIGNATURE') ?? '');
 * ```
 */
export function decodePaymentSignatureHeader(
  value: string,
  options?: DecodeHeaderOptions,
): AnyPaymentPayload {
  return decodeJsonHeader(value, AnyPaymentPayload, { what: 'payment header', ...options });
}
/**
 * Encode a `PAYMENT-RESPONSE` header value.
 *
 * @example
 * ```ts
 * headers.set('PAYMENT-RESPONSE', encodePaymentResponseHeader(settleResponse));
 * ```
 */
export function encodePaymentResponseHeader(value: SettleResponse): string {
  return encodeJsonHeader(value);
}
/**
 * Decode a `PAYMENT-RESPONSE` / `X-PAYMENT-RESPONSE` header value.
 *
 * @example
 * ```ts
 * const { transaction } = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE') ?? '');
 * ```
 */
export function decodePaymentResponseHeader(value: string, options?: DecodeHeaderOptions): SettleResponse {
  return decodeJsonHeader(value, SettleResponse, { what: 'PAYMENT-RESPONSE header', ...options });
}

/** Header names, as everyone emits them. Lookups must be case-insensitive. */
export const HeaderNames = {
  paymentRequired: 'PAYMENT-REQUIRED',
  paymentSignature: 'PAYMENT-SIGNATURE',
  paymentResponse: 'PAYMENT-RESPONSE',
  xPayment: 'X-PAYMENT',
  xPaymentResponse: 'X-PAYMENT-RESPONSE',
  settlementOverrides: 'Settlement-Overrides',
} as const;
