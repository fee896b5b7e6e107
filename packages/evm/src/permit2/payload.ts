/**
 * Reading a Permit2 payload off the wire: shapes are checked before any cryptography or RPC, so
 * bad input becomes a reason code, never an exception.
 */
import { Reasons } from '@x402kit/core';
import { isRecord } from '@x402kit/core/internal';
import type { Address } from 'viem';
import { isEvmAddress } from '../address.js';
import type { Permit2Authorization, Permit2Payload } from './typed-data.js';

/** What `readPermit2Payload` returns. */
export type Permit2PayloadReading =
  | { ok: true; payload: Permit2Payload }
  | { ok: false; reason: string; message: string; payer?: Address };

const UINT = /^(?:\d{1,78}|0x[0-9a-fA-F]{1,64})$/;
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;
const MAX_UINT256 = 2n ** 256n - 1n;

/**
 * Does `paymentPayload.payload` carry a Permit2 authorization? The `exact` facilitator routes on this.
 *
 * @example isPermit2Payload(paymentPayload.payload) // true for { signature, permit2Authorization }
 */
export function isPermit2Payload(raw: Record<string, unknown>): boolean {
  return typeof raw.permit2Authorization === 'object' && raw.permit2Authorization !== null;
}

/**
 * The payer (`permit2Authorization.from`) of a raw payload, when well formed.
 *
 * @example permit2PayerOf(paymentPayload.payload) // '0x7099…'
 */
export function permit2PayerOf(raw: Record<string, unknown>): Address | undefined {
  const auth = raw.permit2Authorization;
  if (typeof auth !== 'object' || auth === null) return undefined;
  const from: unknown = Reflect.get(auth, 'from');
  return isEvmAddress(from) ? from : undefined;
}

/**
 * Check the shape of a Permit2 payload (`exact` or `upto`; `facilitator` in the witness is
 * required when `requireFacilitator`).
 *
 * @example
 * const read = readPermit2Payload(paymentPayload.payload, { requireFacilitator: true })
 * if (!read.ok) return { isValid: false, invalidReason: read.reason }
 */
export function readPermit2Payload(
  raw: Record<string, unknown>,
  options: { requireFacilitator?: boolean } = {},
): Permit2PayloadReading {
  const auth = raw.permit2Authorization;
  if (!isRecord(auth)) {
    return {
      ok: false,
      reason: Reasons.unsupportedPayloadType,
      message: 'payload.permit2Authorization is missing: this is not a Permit2 payment',
    };
  }
  const from = auth.from;
  if (!isEvmAddress(from)) return invalid('permit2Authorization.from must be an address');
  const payer = from;
  const permitted = auth.permitted;
  if (!isRecord(permitted) || !isEvmAddress(permitted.token) || !isUint(permitted.amount))
    return invalid(
      'permit2Authorization.permitted must be { token: address, amount: uint256 string }',
      payer,
    );
  if (!isEvmAddress(auth.spender)) return invalid('permit2Authorization.spender must be an address', payer);
  if (!isUint(auth.nonce)) return invalid('permit2Authorization.nonce must be a uint256 string', payer);
  if (!isUint(auth.deadline)) return invalid('permit2Authorization.deadline must be a uint256 string', payer);
  const witness = auth.witness;
  if (!isRecord(witness) || !isEvmAddress(witness.to) || !isUint(witness.validAfter))
    return invalid('permit2Authorization.witness must be { to: address, validAfter: uint256 string }', payer);
  const facilitator = witness.facilitator;
  if (options.requireFacilitator && !isEvmAddress(facilitator)) {
    // the reference's upto facilitator does not recognize such a payload as its own
    return {
      ok: false,
      reason: Reasons.unsupportedPayloadType,
      message: 'permit2Authorization.witness.facilitator must be an address: this is not an upto payload',
      payer,
    };
  }
  const signature = raw.signature;
  if (typeof signature !== 'string' || !HEX.test(signature))
    return invalid('payload.signature must be 0x-prefixed hex bytes', payer);
  const authorization: Permit2Authorization = {
    from,
    permitted: { token: permitted.token, amount: permitted.amount },
    spender: auth.spender,
    nonce: auth.nonce,
    deadline: auth.deadline,
    witness: {
      to: witness.to,
      validAfter: witness.validAfter,
      ...(options.requireFacilitator && isEvmAddress(facilitator) ? { facilitator } : {}),
    },
  };
  return { ok: true, payload: { signature: `0x${signature.slice(2)}`, permit2Authorization: authorization } };
}

function isUint(value: unknown): value is string {
  return typeof value === 'string' && UINT.test(value) && BigInt(value) <= MAX_UINT256;
}

function invalid(message: string, payer?: Address): Permit2PayloadReading {
  return { ok: false, reason: Reasons.invalidPayload, message, ...(payer ? { payer } : {}) };
}
