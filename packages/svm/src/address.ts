/**
 * Solana addresses: base58 32-byte public keys, written as they are (base58 has one spelling).
 */
import { type Address, address, isAddress } from '@solana/kit';
import type { ChainAddresses } from '@x402kit/core';

/**
 * The Solana address form, for the code that handles several chains' addresses: a base58 32-byte
 * public key (0x addresses and TRON's `T…` are not), compared as written.
 *
 * @example solanaAddresses.canonical('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v') // the same, as an Address
 */
export const solanaAddresses: ChainAddresses<Address> = {
  namespace: 'solana',
  name: 'a base58 Solana address',
  canonical: (value) => (typeof value === 'string' && isAddress(value) ? address(value) : undefined),
  same: (a, b) => a === b && isAddress(a),
};
