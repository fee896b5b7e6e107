/**
 * The TRON address codec, without a chain dependency: Base58Check (`T…`, the wire form), TRON hex
 * (`41…` / `0x41…`) and the 20-byte EVM form (`0x…`) read into one normalized body, and the body
 * written back as Base58Check. `@x402kit/tron` builds its address API (with reason codes) and the
 * devnet its node on this one codec.
 */
import { sha256 } from '@noble/hashes/sha2';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { decodeBase58, encodeBase58 } from '../base58.js';
import { withReason } from '../protocol/errors.js';
import { Reasons } from '../protocol/reasons.js';

/**
 * The TRON address prefix byte (`0x41`), prepended to the 20-byte body on TRON.
 *
 * @example
 * decodeTronAddress(`41${"0".repeat(40)}`).ok; // true: `41` is TRON_ADDRESS_PREFIX in hex
 */
export const TRON_ADDRESS_PREFIX = 0x41;

/**
 * The TRON zero address (`0x41` followed by twenty zero bytes) in Base58Check.
 *
 * @example
 * encodeTronAddress(`0x${'0'.repeat(40)}`) === TRON_ZERO_ADDRESS; // true
 */
export const TRON_ZERO_ADDRESS = 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb';

/**
 * Why a value is not a TRON address: a character outside Base58 or hex, the wrong length, the wrong
 * version byte, or a wrong checksum (Base58Check or mixed-case EIP-55).
 *
 * @example
 * const p: TronAddressProblem = 'checksum';
 */
export type TronAddressProblem = 'encoding' | 'length' | 'prefix' | 'checksum';

/**
 * What {@link decodeTronAddress} read: the 20-byte body as lowercase `0x` hex, or the problem with a
 * sentence for a message (`it decodes to 24 bytes, not 25`).
 *
 * @example
 * const d: TronAddressDecoding = decodeTronAddress('T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb');
 */
export type TronAddressDecoding =
  | { ok: true; body: `0x${string}` }
  | { ok: false; problem: TronAddressProblem; message: string };

const HEX40 = /^[0-9a-fA-F]{40}$/;
const HEX_ANY = /^[0-9a-fA-F]*$/;

function checksum(payload: Uint8Array): Uint8Array {
  return sha256(sha256(payload)).subarray(0, 4);
}

const fail = (problem: TronAddressProblem, message: string): TronAddressDecoding => ({
  ok: false,
  problem,
  message,
});

function fromBase58(text: string): TronAddressDecoding {
  const raw = decodeBase58(text);
  if (raw === undefined) return fail('encoding', 'it contains a character outside Base58');
  if (raw.length !== 25) return fail('length', `it decodes to ${raw.length} bytes, not 25`);
  if (raw[0] !== TRON_ADDRESS_PREFIX) return fail('prefix', 'its version byte is not 0x41');
  const expected = checksum(raw.subarray(0, 21));
  for (let i = 0; i < 4; i++) {
    if (raw[21 + i] !== expected[i]) return fail('checksum', 'its Base58Check checksum is wrong (typo?)');
  }
  return { ok: true, body: `0x${bytesToHex(raw.subarray(1, 21))}` };
}

/** EIP-55: a hex digit is upper-case where the keccak-256 of the lower-case address has a nibble >= 8. */
function isEip55(digits: string): boolean {
  const lower = digits.toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(lower));
  for (let i = 0; i < 40; i++) {
    const nibble = ((hash[i >> 1] ?? 0) >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    const expected = nibble >= 8 ? (lower[i] ?? '').toUpperCase() : lower[i];
    if (digits[i] !== expected) return false;
  }
  return true;
}

/**
 * Reads a TRON address in any accepted form into its 20-byte body (lowercase `0x` hex), the single
 * normalized form comparisons use: Base58Check `T…` (checksum verified), hex `41…` (42 chars), `0x41…`
 * (44 chars) and 20-byte `0x…` (mixed case must be valid EIP-55). Never throws.
 *
 * @example
 * decodeTronAddress('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'); // { ok: true, body: '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23' }
 * decodeTronAddress('TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U').ok; // false (problem 'checksum')
 */
export function decodeTronAddress(input: unknown): TronAddressDecoding {
  if (typeof input !== 'string' || input.length === 0) return fail('encoding', 'expected a non-empty string');
  const text = input.trim();
  if (text.startsWith('0x') || text.startsWith('0X')) {
    const digits = text.slice(2);
    if (!HEX_ANY.test(digits)) return fail('encoding', 'it is not hexadecimal');
    if (digits.length === 40) {
      const mixedCase = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
      if (mixedCase && !isEip55(digits)) return fail('checksum', 'its mixed-case EIP-55 checksum is wrong');
      return { ok: true, body: `0x${digits.toLowerCase()}` };
    }
    if (digits.length === 42) {
      if (digits.slice(0, 2) !== '41') return fail('prefix', 'a 21-byte hex address must start with 41');
      return { ok: true, body: `0x${digits.slice(2).toLowerCase()}` };
    }
    return fail('length', `expected 20 bytes (40 hex digits), got ${digits.length} digits`);
  }
  if (text.length === 42 && HEX_ANY.test(text)) {
    if (text.slice(0, 2) !== '41') return fail('prefix', 'a 42-digit hex address must start with 41');
    return { ok: true, body: `0x${text.slice(2).toLowerCase()}` };
  }
  if (HEX40.test(text)) return fail('prefix', 'bare 40-digit hex is ambiguous: write 0x… or 41…');
  return fromBase58(text);
}

/**
 * Writes a 20-byte body (`0x` + 40 hex digits, any case) as the Base58Check TRON address (`T…`).
 *
 * @throws {RangeError} when `body` is not 20 bytes of hex (decode addresses with {@link decodeTronAddress}), an
 *   x402kit error with reason `invalid_argument`.
 * @example
 * encodeTronAddress('0x2c7536e3605d9c16a7a3d7b1898e529396a65c23'); // 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'
 */
export function encodeTronAddress(body: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(body))
    throw withReason(new RangeError('a TRON address body is 0x and 40 hex digits'), Reasons.invalidArgument);
  const full = new Uint8Array(25);
  full[0] = TRON_ADDRESS_PREFIX;
  full.set(hexToBytes(body.slice(2)), 1);
  full.set(checksum(full.subarray(0, 21)), 21);
  return encodeBase58(full);
}
