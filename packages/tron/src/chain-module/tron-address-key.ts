/**
 * The forms a TRON address takes outside the chain: one comparable key for allowlists
 * (`tron:<body>`), and the 20-byte body the ledger keys payers and assets by. Base58 is
 * case-sensitive and TRON has three spellings (`T…`, `41…`, `0x…`), so both go through the body.
 * A `0x` address is left to the EVM module, as the service has always read it.
 */
import type { Hex } from 'viem';
import { isTronAddress, tronAddressBody } from '../address.js';

/**
 * The allowlist key of a TRON address (`T…` or `41…`), or `undefined` for anything else.
 *
 * @example tronAddressKey('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t') // 'tron:0xa614f803b6fd780986a42c78ec9c7f77e6ded13c'
 */
export function tronAddressKey(address: string): string | undefined {
  const body = tronLedgerAddress(address);
  return body === undefined ? undefined : `tron:${body}`;
}

/**
 * The 20-byte body the ledger keys a TRON address (`T…` or `41…`) by, or `undefined` for anything else.
 *
 * @example tronLedgerAddress('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz') // '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23'
 */
export function tronLedgerAddress(address: string): Hex | undefined {
  return !address.startsWith('0x') && isTronAddress(address) ? tronAddressBody(address) : undefined;
}
