import type { Address, Hex } from 'viem';
import { bytesToHex, concatBytes, getAddress, hexToBytes, isAddress, sha256 } from 'viem';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const TRON_PREFIX = 0x41;

function checksum(payload: Uint8Array): Uint8Array {
  return sha256(sha256(payload, 'bytes'), 'bytes').slice(0, 4);
}

function encodeBase58(bytes: Uint8Array): string {
  let value = BigInt(bytesToHex(bytes));
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

function decodeBase58(text: string): Uint8Array | undefined {
  let value = 0n;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    value = value * 58n + BigInt(digit);
  }
  const hex = value === 0n ? '' : value.toString(16);
  const body = hexToBytes(`0x${hex.length % 2 === 0 ? hex : `0${hex}`}`);
  let zeros = 0;
  while (text[zeros] === '1') zeros++;
  return concatBytes([new Uint8Array(zeros), body]);
}

/**
 * The TRON Base58Check form (`T…`) of a 20-byte address (`0x…` or TRON hex `41…`).
 *
 * @example
 * ```ts
 * tronBase58('0x518688fbb39ccf1253f2b1217679fbe316329288'); // 'THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc'
 * ```
 */
export function tronBase58(address: Address | Hex): string {
  const evm = parseTronOrEvmAddress(address);
  if (evm === undefined) throw new TypeError(`not an address: ${address}`);
  const payload = concatBytes([Uint8Array.of(TRON_PREFIX), hexToBytes(evm)]);
  return encodeBase58(concatBytes([payload, checksum(payload)]));
}

/**
 * Reads an address given as TRON Base58Check (`T…`, checksum verified), TRON hex (`41…` / `0x41…`, 21 bytes)
 * or EVM hex (`0x…`, 20 bytes) and returns the checksummed 20-byte EVM form, or `undefined` if it is none.
 *
 * @example
 * ```ts
 * parseTronOrEvmAddress('THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc'); // '0x518688FBb39ccF1253F2b1217679FBE316329288'
 * ```
 */
export function parseTronOrEvmAddress(input: string): Address | undefined {
  if (typeof input !== 'string') return undefined;
  if (/^(0x)?41[0-9a-fA-F]{40}$/.test(input)) return getAddress(`0x${input.slice(-40)}`);
  if (isAddress(input, { strict: false })) return getAddress(input);
  if (!/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(input)) return undefined;
  const bytes = decodeBase58(input);
  if (bytes === undefined || bytes.length !== 25 || bytes[0] !== TRON_PREFIX) return undefined;
  const payload = bytes.slice(0, 21);
  const sum = checksum(payload);
  if (sum.some((byte, i) => byte !== bytes[21 + i])) return undefined;
  return getAddress(bytesToHex(payload.slice(1)));
}
