/**
 * `extensions.paymentPermitContext`: the nonce, payment id and validity window the resource
 * server chooses for each 402 and the client signs verbatim.
 */
import { X402Error } from '@x402kit/core';
import { isRecord } from '@x402kit/core/internal';
import { type Hex, toHex } from 'viem';
import { ExactPermitReasons } from './reasons.js';

/** Window of a context when no offer says otherwise: an offer's default `maxTimeoutSeconds`. */
export const DEFAULT_CONTEXT_WINDOW_SECONDS = 300;

/** The extension key BofAI's clients read. */
export const PAYMENT_PERMIT_CONTEXT_KEY = 'paymentPermitContext';

/** The extension value, exactly as BofAI's servers write it. */
export type PaymentPermitContext = {
  meta: {
    kind: 'PAYMENT_ONLY';
    /** 16 bytes, 0x + 32 hex digits. */
    paymentId: Hex;
    /** Decimal string of a 128-bit random number (the contract's nonces are per buyer, unordered). */
    nonce: string;
    /** Unix seconds. */
    validAfter: number;
    /** Unix seconds. */
    validBefore: number;
  };
};

/** Options of `createPaymentPermitContext`. */
export type CreatePaymentPermitContextOptions = {
  /** Unix seconds; default now. */
  now?: number;
  /**
   * Length of the window from now; default 300, an offer's default `maxTimeoutSeconds`. Keep it at
   * most the offer's `maxTimeoutSeconds`: a facilitator refuses a permit valid for longer
   * (BofAI's servers use 3600 with offers of 3600).
   */
  validForSeconds?: number;
  /** How far before now the window opens, for clock skew; default 30. */
  validAfterSkewSeconds?: number;
  /** Nonce source; default 128 random bits. */
  createNonce?: () => bigint;
  /** Payment id source; default 16 random bytes. */
  createPaymentId?: () => Hex;
};

/**
 * A fresh context for one 402.
 *
 * @example
 * createPaymentPermitContext({ now: 1700000000 })
 * // { meta: { kind: 'PAYMENT_ONLY', paymentId: '0x…', nonce: '2948…', validAfter: 1699999970, validBefore: 1700000300 } }
 */
export function createPaymentPermitContext(
  options: CreatePaymentPermitContextOptions = {},
): PaymentPermitContext {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const nonce = options.createNonce?.() ?? randomUint(16);
  const paymentId = options.createPaymentId?.() ?? toHex(crypto.getRandomValues(new Uint8Array(16)));
  return {
    meta: {
      kind: 'PAYMENT_ONLY',
      paymentId,
      nonce: nonce.toString(),
      validAfter: now - (options.validAfterSkewSeconds ?? 30),
      validBefore: now + (options.validForSeconds ?? DEFAULT_CONTEXT_WINDOW_SECONDS),
    },
  };
}

/**
 * The context the server declared, or an {@link X402Error} (`invalid_exact_permit_missing_context`)
 * saying what is wrong. Numbers may arrive as strings.
 *
 * @example const { meta } = readPaymentPermitContext(paymentRequired.extensions)
 */
export function readPaymentPermitContext(extensions: Record<string, unknown> | undefined): {
  meta: { kind: string | number; paymentId: string; nonce: string; validAfter: number; validBefore: number };
} {
  const value = extensions?.[PAYMENT_PERMIT_CONTEXT_KEY];
  const meta = isRecord(value) ? value.meta : undefined;
  if (!isRecord(meta)) {
    throw new X402Error(
      ExactPermitReasons.missingContext,
      'exact_permit: the 402 has no extensions.paymentPermitContext.meta; the server must choose the nonce and window',
    );
  }
  const { kind, paymentId, nonce, validAfter, validBefore } = meta;
  const asInt = (v: unknown) =>
    typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (
    (typeof kind !== 'string' && typeof kind !== 'number') ||
    typeof paymentId !== 'string' ||
    (typeof nonce !== 'string' && typeof nonce !== 'number') ||
    !Number.isSafeInteger(asInt(validAfter)) ||
    !Number.isSafeInteger(asInt(validBefore))
  ) {
    throw new X402Error(
      ExactPermitReasons.missingContext,
      'exact_permit: extensions.paymentPermitContext.meta needs kind, paymentId, nonce, validAfter and validBefore',
    );
  }
  return {
    meta: {
      kind,
      paymentId,
      nonce: String(nonce),
      validAfter: asInt(validAfter),
      validBefore: asInt(validBefore),
    },
  };
}

function randomUint(bytes: number): bigint {
  const hex = toHex(crypto.getRandomValues(new Uint8Array(bytes)));
  return BigInt(hex);
}
