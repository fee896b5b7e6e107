/**
 * The `exact_permit` payload on the wire, `{ signature, paymentPermit }`, and its reading into a
 * {@link PaymentPermitMessage}. Lenient where BofAI's clients differ (numbers as decimal strings
 * or JSON numbers, `kind` as `"PAYMENT_ONLY"` or a number, a signature with or without `0x`),
 * strict about everything else.
 */

import { X402Error } from '@x402kit/core';
import { isRecord } from '@x402kit/core/internal';
import { type Address, getAddress, type Hex } from 'viem';
import { ExactPermitReasons } from './reasons.js';
import type { PaymentPermitMessage } from './typed-data.js';

/** `kind` names BofAI writes on the wire. */
const KIND_NAMES: Readonly<Record<string, number>> = { PAYMENT_ONLY: 0, PAYMENT_AND_DELIVERY: 1 };

/** A permit as BofAI's clients send it (addresses as given, numbers as strings or numbers). */
export type PaymentPermitWire = {
  meta: {
    kind: string | number;
    paymentId: string;
    nonce: string | number;
    validAfter: string | number;
    validBefore: string | number;
  };
  buyer: string;
  caller: string;
  payment: { payToken: string; payAmount: string | number; payTo: string };
  fee: { feeTo: string; feeAmount: string | number };
};

/** `payload` of an `exact_permit` PaymentPayload. */
export type ExactPermitPayload = { signature: string; paymentPermit: PaymentPermitWire };

/** What `readExactPermitPayload` returns. */
export type ReadExactPermitPayload =
  | { ok: true; permit: PaymentPermitMessage; signature: Hex }
  | { ok: false; reason: string; message: string; payer?: Address };

/**
 * The refusal of a payload without a `paymentPermit` object, whatever the chain: not an
 * `exact_permit` payment.
 *
 * @example
 * if (!isRecord(payload.paymentPermit)) return MISSING_PERMIT;
 */
export const MISSING_PERMIT = {
  ok: false,
  reason: ExactPermitReasons.missingPermit,
  message: 'payload.paymentPermit is missing: this is not an exact_permit payment',
} as const;

/**
 * Read and normalize `payload.paymentPermit` and `payload.signature`. Never throws.
 *
 * @example
 * const read = readExactPermitPayload(paymentPayload.payload)
 * if (!read.ok) return { isValid: false, invalidReason: read.reason }
 */
export function readExactPermitPayload(payload: Record<string, unknown>): ReadExactPermitPayload {
  const raw = payload.paymentPermit;
  if (!isRecord(raw)) return MISSING_PERMIT;
  const payer = isHexAddress(raw.buyer) ? getAddress(raw.buyer) : undefined;
  try {
    const permit = parsePaymentPermit(raw);
    const signature = readSignatureHex(payload.signature);
    return { ok: true, permit, signature };
  } catch (error) {
    return {
      ok: false,
      reason: ExactPermitReasons.payload,
      message: error instanceof Error ? error.message : String(error),
      ...(payer ? { payer } : {}),
    };
  }
}

/**
 * Parse a wire permit into the signed message.
 *
 * @throws {X402Error} `invalid_exact_permit_payload`, the message naming the bad field.
 * @example parsePaymentPermit(payload.paymentPermit).payment.payAmount // 1000000000000000n
 */
export function parsePaymentPermit(raw: unknown): PaymentPermitMessage {
  const permit = record(raw, 'paymentPermit');
  const meta = record(permit.meta, 'paymentPermit.meta');
  const payment = record(permit.payment, 'paymentPermit.payment');
  const fee = record(permit.fee, 'paymentPermit.fee');
  return {
    meta: {
      kind: readKind(meta.kind),
      paymentId: readBytes16(meta.paymentId),
      nonce: readUint(meta.nonce, 'paymentPermit.meta.nonce'),
      validAfter: readUint(meta.validAfter, 'paymentPermit.meta.validAfter'),
      validBefore: readUint(meta.validBefore, 'paymentPermit.meta.validBefore'),
    },
    buyer: readAddress(permit.buyer, 'paymentPermit.buyer'),
    caller: readAddress(permit.caller, 'paymentPermit.caller'),
    payment: {
      payToken: readAddress(payment.payToken, 'paymentPermit.payment.payToken'),
      payAmount: readUint(payment.payAmount, 'paymentPermit.payment.payAmount'),
      payTo: readAddress(payment.payTo, 'paymentPermit.payment.payTo'),
    },
    fee: {
      feeTo: readAddress(fee.feeTo, 'paymentPermit.fee.feeTo'),
      feeAmount: readUint(fee.feeAmount, 'paymentPermit.fee.feeAmount'),
    },
  };
}

/**
 * The wire form of a permit, in the exact shape BofAI's 0.5.8 client sends: `kind` as a name,
 * `nonce` and amounts as decimal strings, the window as JSON numbers.
 *
 * @example toPaymentPermitWire(permit).meta.kind // 'PAYMENT_ONLY'
 */
export function toPaymentPermitWire(permit: PaymentPermitMessage): PaymentPermitWire {
  const kindName = Object.entries(KIND_NAMES).find(([, v]) => v === permit.meta.kind)?.[0];
  return {
    meta: {
      kind: kindName ?? permit.meta.kind,
      paymentId: permit.meta.paymentId,
      nonce: permit.meta.nonce.toString(),
      validAfter: Number(permit.meta.validAfter),
      validBefore: Number(permit.meta.validBefore),
    },
    buyer: permit.buyer,
    caller: permit.caller,
    payment: {
      payToken: permit.payment.payToken,
      payAmount: permit.payment.payAmount.toString(),
      payTo: permit.payment.payTo,
    },
    fee: { feeTo: permit.fee.feeTo, feeAmount: permit.fee.feeAmount.toString() },
  };
}

/**
 * Is `signature` 65 bytes r‖s‖v with v 27 or 28, the only form `PaymentPermit` accepts (it uses v
 * as-is)? `signature` is 0x-prefixed hex.
 *
 * @example isPermitSignatureShape('0x' + 'ab'.repeat(64) + '1b') // true
 */
export function isPermitSignatureShape(signature: Hex): boolean {
  if (signature.length !== 132) return false;
  const v = Number.parseInt(signature.slice(130), 16);
  return v === 27 || v === 28;
}

function readSignatureHex(value: unknown): Hex {
  if (typeof value !== 'string' || value === '') throw invalidPayload('payload.signature is missing');
  const body = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
  if (!/^[0-9a-fA-F]*$/.test(body) || body.length % 2 !== 0)
    throw invalidPayload('payload.signature is not hex (with or without 0x)');
  return `0x${body.toLowerCase()}`;
}

function readKind(value: unknown): number {
  if (typeof value === 'string' && value in KIND_NAMES) return KIND_NAMES[value] ?? -1;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 255)
    throw invalidPayload(`paymentPermit.meta.kind ${JSON.stringify(value)} is not "PAYMENT_ONLY" or a uint8`);
  return n;
}

function readBytes16(value: unknown): Hex {
  if (typeof value !== 'string' || !/^(0x)?[0-9a-fA-F]{32}$/.test(value))
    throw invalidPayload('paymentPermit.meta.paymentId must be 16 bytes as hex (0x + 32 hex digits)');
  return `0x${value.replace(/^0x/, '').toLowerCase()}`;
}

const MAX_UINT256 = 2n ** 256n - 1n;

function readUint(value: unknown, path: string): bigint {
  let n: bigint | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) n = BigInt(value);
  else if (typeof value === 'string' && /^\d{1,78}$/.test(value)) n = BigInt(value);
  if (n === undefined || n > MAX_UINT256)
    throw invalidPayload(
      `${path} must be a uint256 as a decimal string or a safe integer, got ${JSON.stringify(value)}`,
    );
  return n;
}

function readAddress(value: unknown, path: string): Address {
  if (!isHexAddress(value))
    throw invalidPayload(`${path} must be a 0x-prefixed 20-byte address, got ${JSON.stringify(value)}`);
  return getAddress(value);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalidPayload(`${path} must be an object`);
  return value;
}

function invalidPayload(message: string): X402Error {
  return new X402Error(ExactPermitReasons.payload, message);
}

/** A 0x-prefixed 20-byte hex address, any letter case: the form of every PaymentPermit address field. */
function isHexAddress(value: unknown): value is Address {
  return typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value);
}
