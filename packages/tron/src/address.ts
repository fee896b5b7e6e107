import { X402Error } from '@x402kit/core';
import type { Address, Hex } from 'viem';
import { bytesToHex, getAddress, hexToBytes, sha256 } from 'viem';
import { decodeBase58, encodeBase58 } from './base58.js';
import { TronReasons } from './reasons.js';

/** The TRON address prefix byte (`0x41`), prepended to the 20-byte body on TRON. */
export const TRON_ADDRESS_PREFIX = 0x41;

/**
 * The TRON zero address (`0x41` followed by twenty zero bytes) in Base58Check.
 *
 * @example
 * toEvmHex(TRON_ZERO_ADDRESS); // '0x0000000000000000000000000000000000000000'
 */
export const TRON_ZERO_ADDRESS = 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb';

/**
 * Reason codes an address can be rejected with.
 *
 * @example
 * const r: TronAddressReason = 'invalid_tron_address_checksum';
 */
export type TronAddressReason =
  | typeof TronReasons.addressChecksum
  | typeof TronReasons.addressPrefix
  | typeof TronReasons.addressLength
  | typeof TronReasons.addressEncoding;

/**
 * A value that is not a TRON address in any accepted form (Base58Check `T…`, hex `41…`, `0x…`).
 *
 * @example
 * try { toTronAddress('TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U') } catch (e) {
 *   if (e instanceof TronAddressError) console.log(e.reason); // 'invalid_tron_address_checksum'
 * }
 */
export class TronAddressError extends X402Error {
  override name = 'TronAddressError';
  declare readonly reason: TronAddressReason;
  /** The rejected input, as given (truncated to 100 characters). */
  readonly input: string;

  constructor(reason: TronAddressReason, input: unknown, problem: string) {
    const shown = typeof input === 'string' ? input.slice(0, 100) : typeof input;
    super(reason, `"${shown}" is not a TRON address: ${problem}`, { details: { input: shown } });
    this.input = shown;
  }
}

const HEX40 = /^[0-9a-fA-F]{40}$/;
const HEX_ANY = /^[0-9a-fA-F]*$/;

function checksum(payload: Uint8Array): Uint8Array {
  return sha256(sha256(payload, 'bytes'), 'bytes').subarray(0, 4);
}

function fail(reason: TronAddressReason, input: unknown, problem: string): never {
  throw new TronAddressError(reason, input, problem);
}

function bodyFromBase58(input: string): Hex {
  const raw = decodeBase58(input);
  if (raw === undefined) fail(TronReasons.addressEncoding, input, 'it contains a character outside Base58');
  if (raw.length !== 25) fail(TronReasons.addressLength, input, `it decodes to ${raw.length} bytes, not 25`);
  if (raw[0] !== TRON_ADDRESS_PREFIX) fail(TronReasons.addressPrefix, input, 'its version byte is not 0x41');
  const expected = checksum(raw.subarray(0, 21));
  for (let i = 0; i < 4; i++) {
    if (raw[21 + i] !== expected[i])
      fail(TronReasons.addressChecksum, input, 'its Base58Check checksum is wrong (typo?)');
  }
  return bytesToHex(raw.subarray(1, 21));
}

function bodyFromEvmHex(input: string, digits: string): Hex {
  const hex = `0x${digits}` as const;
  const mixedCase = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixedCase && getAddress(hex) !== hex) {
    fail(TronReasons.addressChecksum, input, 'its mixed-case EIP-55 checksum is wrong');
  }
  return `0x${digits.toLowerCase()}`;
}

/**
 * The 20-byte body of a TRON address, as lowercase `0x` hex: the single normalized form every
 * comparison in this package uses. Accepts Base58Check `T…` (checksum verified), hex `41…` (42 chars),
 * `0x41…` (44 chars) and 20-byte `0x…` (mixed case must be valid EIP-55).
 *
 * @throws {TronAddressError} with `invalid_tron_address_{encoding,length,prefix,checksum}`.
 * @example
 * tronAddressBody('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'); // '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23'
 */
export function tronAddressBody(input: string): Hex {
  if (typeof input !== 'string' || input.length === 0) {
    fail(TronReasons.addressEncoding, input, 'expected a non-empty string');
  }
  const text = input.trim();
  if (text.startsWith('0x') || text.startsWith('0X')) {
    const digits = text.slice(2);
    if (!HEX_ANY.test(digits)) fail(TronReasons.addressEncoding, input, 'it is not hexadecimal');
    if (digits.length === 40) return bodyFromEvmHex(input, digits);
    if (digits.length === 42) {
      if (digits.slice(0, 2) !== '41')
        fail(TronReasons.addressPrefix, input, 'a 21-byte hex address must start with 41');
      return `0x${digits.slice(2).toLowerCase()}`;
    }
    fail(TronReasons.addressLength, input, `expected 20 bytes (40 hex digits), got ${digits.length} digits`);
  }
  if (text.length === 42 && HEX_ANY.test(text)) {
    if (text.slice(0, 2) !== '41')
      fail(TronReasons.addressPrefix, input, 'a 42-digit hex address must start with 41');
    return `0x${text.slice(2).toLowerCase()}`;
  }
  if (HEX40.test(text)) {
    fail(TronReasons.addressPrefix, input, 'bare 40-digit hex is ambiguous: write 0x… or 41…');
  }
  return bodyFromBase58(text);
}

/**
 * Converts any accepted address form to Base58Check (`T…`), the form TRON wallets and the x402 wire use.
 *
 * @throws {TronAddressError} when the input is not an address.
 * @example
 * toTronAddress('0x2c7536E3605D9C16a7a3D7b1898e529396a65c23'); // 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'
 */
export function toTronAddress(input: string): string {
  const body = hexToBytes(tronAddressBody(input));
  const payload = new Uint8Array(21);
  payload[0] = TRON_ADDRESS_PREFIX;
  payload.set(body, 1);
  const full = new Uint8Array(25);
  full.set(payload);
  full.set(checksum(payload), 21);
  return encodeBase58(full);
}

/**
 * Converts any accepted address form to the EIP-55 checksummed 20-byte `0x` address (for viem, TIP-712, ABI).
 *
 * @throws {TronAddressError} when the input is not an address.
 * @example
 * toEvmHex('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'); // '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23'
 */
export function toEvmHex(input: string): Address {
  return getAddress(tronAddressBody(input));
}

/**
 * Converts any accepted address form to TRON's lowercase 21-byte hex (`41…`, no `0x`), the node API's
 * `visible: false` form.
 *
 * @throws {TronAddressError} when the input is not an address.
 * @example
 * toTronHex('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'); // '412c7536e3605d9c16a7a3d7b1898e529396a65c23'
 */
export function toTronHex(input: string): string {
  return `41${tronAddressBody(input).slice(2)}`;
}

/**
 * True when `input` is a TRON address in any accepted form (checksums verified). Never throws.
 *
 * @example
 * isTronAddress('TFFAMQLZybALaLb4uxHA9RBE7pxhUAjF3U'); // true
 * isTronAddress('TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U'); // false (checksum)
 */
export function isTronAddress(input: unknown): input is string {
  if (typeof input !== 'string') return false;
  try {
    tronAddressBody(input);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when `a` and `b` are the same account, whatever their forms; false if either is not an address.
 *
 * @example
 * sameTronAddress('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz', '412c7536e3605d9c16a7a3d7b1898e529396a65c23'); // true
 */
export function sameTronAddress(a: string, b: string): boolean {
  if (!isTronAddress(a) || !isTronAddress(b)) return false;
  return tronAddressBody(a) === tronAddressBody(b);
}
