import {
  type ChainAddresses,
  decodeTronAddress,
  encodeTronAddress,
  type TronAddressProblem,
  X402Error,
} from '@x402kit/core';
import type { Address, Hex } from 'viem';
import { getAddress } from 'viem';
import { TronReasons } from './reasons.js';

// The codec (Base58Check, hex forms, the normalized body) has its one home in @x402kit/core; this
// module adds the reason-coded errors and the EVM checksummed form.
export { TRON_ADDRESS_PREFIX, TRON_ZERO_ADDRESS } from '@x402kit/core';

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

const REASONS: Readonly<Record<TronAddressProblem, TronAddressReason>> = {
  encoding: TronReasons.addressEncoding,
  length: TronReasons.addressLength,
  prefix: TronReasons.addressPrefix,
  checksum: TronReasons.addressChecksum,
};

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
  const decoded = decodeTronAddress(input);
  if (!decoded.ok) throw new TronAddressError(REASONS[decoded.problem], input, decoded.message);
  return decoded.body;
}

/**
 * Converts any accepted address form to Base58Check (`T…`), the form TRON wallets and the x402 wire use.
 *
 * @throws {TronAddressError} when the input is not an address.
 * @example
 * toTronAddress('0x2c7536E3605D9C16a7a3D7b1898e529396a65c23'); // 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'
 */
export function toTronAddress(input: string): string {
  return encodeTronAddress(tronAddressBody(input));
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

/**
 * The TRON address form, for the code that handles several chains' addresses: any form
 * {@link tronAddressBody} accepts, written Base58Check (`T…`), compared by body.
 *
 * @example tronAddresses.canonical('412c7536e3605d9c16a7a3d7b1898e529396a65c23') // 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'
 */
export const tronAddresses: ChainAddresses = {
  namespace: 'tron',
  name: 'a TRON address',
  canonical: (value) => (isTronAddress(value) ? toTronAddress(value) : undefined),
  same: sameTronAddress,
};
