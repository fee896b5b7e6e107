import { decodeTronAddress, encodeTronAddress, X402Error } from '@x402kit/core';
import type { Address } from 'viem';
import { getAddress } from 'viem';
import { DevnetReasons } from '../devnet-reasons.js';

// The devnet's names for the one TRON address codec of @x402kit/core (Base58Check, `41…` and `0x…`
// forms), in the shapes the node's handlers want.

/**
 * A string is not a TRON address in any accepted form (Base58Check `T…`, `41…` hex or 20-byte `0x…` hex);
 * reason `invalid_devnet_tron_address`.
 *
 * @example
 * ```ts
 * try { tronAddressToHex('Tnope'); } catch (error) { if (error instanceof TronAddressError) console.error(error.message); }
 * ```
 */
export class TronAddressError extends X402Error {
  override readonly name = 'TronAddressError';

  constructor(message: string) {
    super(DevnetReasons.tronAddress, message);
  }
}

/**
 * The 21-byte TRON form of an address as lowercase hex, `41` followed by the 20-byte body.
 * Accepts Base58Check (`T…`), `41…` / `0x41…` hex (21 bytes) and 20-byte `0x…` EVM hex (mixed case must
 * be valid EIP-55).
 *
 * @example
 * ```ts
 * tronAddressToHex('TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH'); // '4141a0d8786c5e20d27b6225e9d03ed1cbfe271634'
 * ```
 */
export function tronAddressToHex(address: string): string {
  const decoded = decodeTronAddress(address);
  if (!decoded.ok)
    throw new TronAddressError(`not a TRON address (${decoded.message}): ${JSON.stringify(address)}`);
  return `41${decoded.body.slice(2)}`;
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
  return encodeTronAddress(`0x${tronAddressToHex(address).slice(2)}`);
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
  return decodeTronAddress(value).ok;
}

/**
 * Reads an address given as TRON Base58Check (`T…`, checksum verified), TRON hex (`41…` / `0x41…`, 21 bytes)
 * or EVM hex (`0x…`, 20 bytes, lower, upper or valid EIP-55 case) and returns the checksummed 20-byte EVM form, or `undefined` if it is
 * none. Never throws.
 *
 * @example
 * ```ts
 * parseTronOrEvmAddress('THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc'); // '0x518688FBb39ccF1253F2b1217679FBE316329288'
 * ```
 */
export function parseTronOrEvmAddress(input: string): Address | undefined {
  const decoded = decodeTronAddress(input);
  return decoded.ok ? getAddress(decoded.body) : undefined;
}
