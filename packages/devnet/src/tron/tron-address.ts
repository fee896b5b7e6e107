import { createHash } from 'node:crypto';
import type { Address } from 'viem';
import { getAddress } from 'viem';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const TRON_PREFIX = 0x41;

/**
 * A string is not a TRON address in any accepted form (Base58Check `T…`, `41…` hex or 20-byte `0x…` hex).
 *
 * @example
 * ```ts
 * try { tronAddressToHex('Tnope'); } catch (error) { if (error instanceof TronAddressError) console.error(error.message); }
 * ```
 */
export class TronAddressError extends Error {
  override readonly name = 'TronAddressError';
}

/**
 * The 21-byte TRON form of an address as lowercase hex, `41` followed by the 20-byte body.
 * Accepts Base58Check (`T…`), `41…` hex (42 chars) and 20-byte `0x…` EVM hex.
 *
 * @example
 * ```ts
 * tronAddressToHex('TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH'); // '4141a0d8786c5e20d27b6225e9d03ed1cbfe271634'
 * ```
 */
export function tronAddressToHex(address: string): string {
  if (/^0x[0-9a-fA-F]{40}$/.test(address)) return `41${address.slice(2).toLowerCase()}`;
  if (/^41[0-9a-fA-F]{40}$/.test(address)) return address.toLowerCase();
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(address)) return decodeBase58Check(address);
  throw new TronAddressError(`not a TRON address: ${JSON.stringify(address)}`);
}

/**
 * The Base58Check form (`T…`) of a TRON address given in any accepted form.
 *
 * @example
 * ```ts
 * tronAddressToBase58('0x41a0d8786c5e20d27b6225e9d03ed1cbfe271634'); // 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH'
 * ```
 */
export function tronAddressToBase58(address: string): string {
  const bytes = Buffer.from(tronAddressToHex(address), 'hex');
  return encodeBase58(Buffer.concat([bytes, checksum(bytes)]));
}

/**
 * The 20-byte EVM form (`0x…`, checksummed) of a TRON address: what the TVM (and our anvil) sees.
 *
 * @example
 * ```ts
 * tronAddressToEvm('TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf'); // '0xECa9bC828A3005B9a3b909f2cc5c2a54794DE05F'
 * ```
 */
export function tronAddressToEvm(address: string): Address {
  return getAddress(`0x${tronAddressToHex(address).slice(2)}`);
}

/**
 * Whether `value` is a TRON address in one of the accepted forms (Base58Check with a valid checksum included).
 *
 * @example
 * ```ts
 * isTronAddress('T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb'); // true
 * ```
 */
export function isTronAddress(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    tronAddressToHex(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads an address given as TRON Base58Check (`T…`, checksum verified), TRON hex (`41…` / `0x41…`, 21 bytes)
 * or EVM hex (`0x…`, 20 bytes, any case) and returns the checksummed 20-byte EVM form, or `undefined` if it is
 * none. Never throws.
 *
 * @example
 * ```ts
 * parseTronOrEvmAddress('THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc'); // '0x518688FBb39ccF1253F2b1217679FBE316329288'
 * ```
 */
export function parseTronOrEvmAddress(input: string): Address | undefined {
  if (typeof input !== 'string') return undefined;
  if (/^0x41[0-9a-fA-F]{40}$/.test(input)) return getAddress(`0x${input.slice(-40)}`);
  try {
    return tronAddressToEvm(input);
  } catch {
    return undefined;
  }
}

function checksum(payload: Uint8Array): Buffer {
  const once = createHash('sha256').update(payload).digest();
  return createHash('sha256').update(once).digest().subarray(0, 4);
}

function decodeBase58Check(text: string): string {
  let value = 0n;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) throw new TronAddressError(`not a TRON address: ${JSON.stringify(text)}`);
    value = value * 58n + BigInt(digit);
  }
  const hex = value.toString(16).padStart(50, '0');
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length !== 25 || bytes[0] !== TRON_PREFIX) {
    throw new TronAddressError(`not a TRON address (wrong length or prefix): ${text}`);
  }
  const body = bytes.subarray(0, 21);
  if (!checksum(body).equals(bytes.subarray(21))) {
    throw new TronAddressError(`TRON address with a bad checksum: ${text}`);
  }
  return body.toString('hex');
}

function encodeBase58(bytes: Uint8Array): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  let out = '';
  while (value > 0n) {
    out = ALPHABET[Number(value % 58n)] + out;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}
