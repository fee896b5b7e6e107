/**
 * The TRON `exact_permit` payload on the wire: `{ signature, paymentPermit }` with Base58Check
 * addresses. Reading checks every address (a checksum typo gets its own reason and names the
 * field), converts them to 20-byte hex and hands the rest to the EVM reader, which is lenient in
 * the same ways BofAI's clients differ (numbers as strings or JSON numbers, signature with or
 * without `0x`).
 */

import { isRecord } from '@x402kit/core/internal';
import {
  MISSING_PERMIT,
  type PaymentPermitMessage,
  type PaymentPermitWire,
  readExactPermitPayload,
  toPaymentPermitWire,
} from '@x402kit/payment-permit';
import type { Hex } from 'viem';
import { TronAddressError, toEvmHex, toTronAddress } from '../address.js';
import { TronReasons } from '../reasons.js';
import { ExactPermitTronReasons } from './reasons.js';

/**
 * Outcome of {@link readExactPermitTronPayload}: the signed message (20-byte `0x` addresses) and the
 * signature (`0x`, lowercase), or a reason.
 *
 * @example
 * const read: ReadExactPermitTronPayload = readExactPermitTronPayload(paymentPayload.payload);
 */
export type ReadExactPermitTronPayload =
  | { ok: true; permit: PaymentPermitMessage; signature: Hex }
  | { ok: false; reason: string; message: string; payer?: string };

/**
 * Outcome of {@link readTronAddressField}.
 *
 * @example
 * const field: TronAddressField = readTronAddressField('T…', 'paymentRequirements.payTo');
 */
export type TronAddressField =
  | { ok: true; base58: string; hex: Hex }
  | { ok: false; reason: string; message: string };

const ADDRESS_FIELDS: ReadonlyArray<readonly string[]> = [
  ['buyer'],
  ['caller'],
  ['payment', 'payToken'],
  ['payment', 'payTo'],
  ['fee', 'feeTo'],
];

/**
 * Reads one address field in any TRON form; a bad Base58Check checksum answers
 * `invalid_exact_permit_tron_address_checksum`, anything else malformed `invalid_exact_permit_tron_address`.
 * Never throws.
 *
 * @example
 * readTronAddressField('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz', 'paymentRequirements.payTo').ok; // true
 */
export function readTronAddressField(value: unknown, path: string): TronAddressField {
  if (typeof value !== 'string' || value === '') {
    return { ok: false, reason: ExactPermitTronReasons.address, message: `${path} must be a TRON address` };
  }
  try {
    const hex = toEvmHex(value);
    return { ok: true, base58: toTronAddress(hex), hex };
  } catch (error) {
    const checksum = error instanceof TronAddressError && error.reason === TronReasons.addressChecksum;
    return {
      ok: false,
      reason: checksum ? ExactPermitTronReasons.addressChecksum : ExactPermitTronReasons.address,
      message: `${path}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * Reads and normalizes `payload.paymentPermit` and `payload.signature` of a TRON payment. Never throws.
 *
 * @example
 * const read = readExactPermitTronPayload(paymentPayload.payload);
 * if (!read.ok) return { isValid: false, invalidReason: read.reason };
 * read.permit.buyer; // '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23'
 */
export function readExactPermitTronPayload(payload: Record<string, unknown>): ReadExactPermitTronPayload {
  const raw = payload.paymentPermit;
  if (!isRecord(raw)) return MISSING_PERMIT;
  const buyer = readTronAddressField(raw.buyer, 'paymentPermit.buyer');
  const payer = buyer.ok ? buyer.base58 : undefined;
  const converted = structuredClone(raw);
  for (const path of ADDRESS_FIELDS) {
    const parent = path.length === 1 ? converted : converted[path[0] ?? ''];
    const key = path[path.length - 1] ?? '';
    if (!isRecord(parent) || parent[key] === undefined) continue; // the EVM reader names what is missing
    const field = readTronAddressField(parent[key], `paymentPermit.${path.join('.')}`);
    if (!field.ok) return { ...field, ...(payer ? { payer } : {}) };
    parent[key] = field.hex;
  }
  const read = readExactPermitPayload({ signature: payload.signature, paymentPermit: converted });
  if (read.ok) return { ok: true, permit: read.permit, signature: read.signature };
  return { ok: false, reason: read.reason, message: read.message, ...(payer ? { payer } : {}) };
}

/**
 * The wire form of a permit as BofAI's TRON client sends it: Base58Check addresses, `kind` as
 * `"PAYMENT_ONLY"`, nonce and amounts as decimal strings, the window as JSON numbers.
 *
 * @example
 * toPaymentPermitTronWire(permit).buyer; // 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'
 */
export function toPaymentPermitTronWire(permit: PaymentPermitMessage): PaymentPermitWire {
  const wire = toPaymentPermitWire(permit);
  return {
    ...wire,
    buyer: toTronAddress(wire.buyer),
    caller: toTronAddress(wire.caller),
    payment: {
      ...wire.payment,
      payToken: toTronAddress(wire.payment.payToken),
      payTo: toTronAddress(wire.payment.payTo),
    },
    fee: { ...wire.fee, feeTo: toTronAddress(wire.fee.feeTo) },
  };
}
