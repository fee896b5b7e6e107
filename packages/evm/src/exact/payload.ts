/**
 * Reading an `exact` EIP-3009 payload off the wire: every field is checked for shape before any
 * cryptography or RPC, so bad input becomes a reason code, never an exception.
 */
import type { PaymentPayload } from '@x402kit/core';
import { Reasons } from '@x402kit/core';
import type { Address, Hex } from 'viem';
import { isEvmAddress } from '../address.js';
import type { ExactEvmAuthorization } from '../eip3009.js';

/** A payload whose authorization is well formed; the signature is still an unjudged string. */
export type ReadExactEvmPayload = { authorization: ExactEvmAuthorization; signature: string };

/** What `readExactEvmPayload` returns. */
export type PayloadReading =
  | { ok: true; payload: ReadExactEvmPayload }
  | { ok: false; reason: string; message: string; payer?: Address };

const UINT = /^\d{1,78}$/;
const MAX_UINT256 = 2n ** 256n - 1n;
const NONCE = /^0x[0-9a-fA-F]{64}$/;

/**
 * The payer address of a raw payload, when it has a well-formed `authorization.from`.
 *
 * @example payerOf(paymentPayload.payload) // '0x7099…' or undefined
 */
export function payerOf(raw: Record<string, unknown>): Address | undefined {
  const authorization = raw.authorization;
  if (typeof authorization !== 'object' || authorization === null) return undefined;
  const from: unknown = Reflect.get(authorization, 'from');
  return isEvmAddress(from) ? from : undefined;
}

/**
 * Check the shape of `paymentPayload.payload` for the EIP-3009 flavour of `exact`.
 * The signature is only required to be a string here; its bytes are judged by the signature check
 * (a non-hex signature is `invalid_exact_evm_signature`, as in the reference).
 *
 * @example
 * const read = readExactEvmPayload(paymentPayload.payload)
 * if (!read.ok) return { isValid: false, invalidReason: read.reason, invalidMessage: read.message }
 */
export function readExactEvmPayload(raw: Record<string, unknown>): PayloadReading {
  if ('permit2Authorization' in raw) {
    return {
      ok: false,
      reason: Reasons.unsupportedPayloadType,
      message: 'Permit2 payloads are not supported by this facilitator yet (only EIP-3009 authorizations)',
    };
  }
  const authorization = raw.authorization;
  if (typeof authorization !== 'object' || authorization === null || Array.isArray(authorization)) {
    return invalid('payload.authorization must be an object');
  }
  const field = (name: keyof ExactEvmAuthorization): unknown => Reflect.get(authorization, name);
  const from = field('from');
  if (!isEvmAddress(from)) return invalid('payload.authorization.from must be a 0x-prefixed 20-byte address');
  const payer = from;
  const to = field('to');
  if (!isEvmAddress(to))
    return invalid('payload.authorization.to must be a 0x-prefixed 20-byte address', payer);
  const numbers: Record<'value' | 'validAfter' | 'validBefore', string> = {
    value: '',
    validAfter: '',
    validBefore: '',
  };
  for (const name of ['value', 'validAfter', 'validBefore'] as const) {
    const v = field(name);
    if (typeof v !== 'string' || !UINT.test(v) || BigInt(v) > MAX_UINT256) {
      return invalid(`payload.authorization.${name} must be a decimal string of a uint256`, payer);
    }
    numbers[name] = v;
  }
  const nonce = field('nonce');
  if (!isNonce(nonce)) {
    return invalid('payload.authorization.nonce must be 0x followed by 64 hex digits (32 bytes)', payer);
  }
  const signature = raw.signature;
  if (typeof signature !== 'string') return invalid('payload.signature must be a hex string', payer);
  return { ok: true, payload: { signature, authorization: { from, to, ...numbers, nonce } } };
}

function isNonce(value: unknown): value is Hex {
  return typeof value === 'string' && NONCE.test(value);
}

function invalid(message: string, payer?: Address): PayloadReading {
  return { ok: false, reason: Reasons.invalidPayload, message, ...(payer ? { payer } : {}) };
}

/**
 * Bring the EIP-3009 payload shapes other x402 stacks send into the reference shape, so one
 * verifier serves them all: `@bankofai/x402` 0.5.8 puts the authorization only in
 * `extensions.transferAuthorization` and sends signatures without `0x`. Anything else is
 * returned unchanged (and judged by {@link readExactEvmPayload}).
 *
 * @example
 * const payload = normalizeExactEvmPayload(bofaiPayload) // payload.payload.authorization is set
 */
export function normalizeExactEvmPayload(payload: PaymentPayload): PaymentPayload {
  const raw = payload.payload;
  let next = raw;
  const fromExtension = payload.extensions?.transferAuthorization;
  if (!('authorization' in raw) && typeof fromExtension === 'object' && fromExtension !== null) {
    next = { ...next, authorization: fromExtension };
  }
  const signature = raw.signature;
  if (typeof signature === 'string' && /^[0-9a-fA-F]+$/.test(signature) && signature.length % 2 === 0) {
    next = { ...next, signature: `0x${signature}` };
  }
  return next === raw ? payload : { ...payload, payload: next };
}
