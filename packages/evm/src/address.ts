/**
 * EVM address helpers. Addresses are compared in one place, case-insensitively: a checksummed
 * and a lower-case spelling of the same 20 bytes are the same account.
 */
import type { ChainAddresses } from '@x402kit/core';
import { type Address, getAddress } from 'viem';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Is `value` a 0x-prefixed 20-byte hex address? Any letter case is accepted (the checksum is not
 * enforced, as in the reference facilitator).
 *
 * @example isEvmAddress('0x036CbD53842c5426634e7929541eC2318f3dCF7e') // true
 */
export function isEvmAddress(value: unknown): value is Address {
  return typeof value === 'string' && ADDRESS.test(value);
}

/**
 * Do two strings name the same EVM address? False when either is not an address.
 *
 * @example sameAddress('0xabc…', '0xABC…') // true
 */
export function sameAddress(a: string, b: string): boolean {
  return isEvmAddress(a) && isEvmAddress(b) && addressKey(a) === addressKey(b);
}

/**
 * The one normalized spelling of an address (lower case), for map keys and sets.
 *
 * @example addressKey('0x036CbD53842c5426634e7929541eC2318f3dCF7e') // '0x036cbd53842c5426634e7929541ec2318f3dcf7e'
 */
export function addressKey(address: string): string {
  return address.toLowerCase();
}

/**
 * The EVM address form, for the code that handles several chains' addresses: `0x` and 20 bytes in
 * any letter case, written checksummed (EIP-55), compared with {@link sameAddress}.
 *
 * @example evmAddresses.canonical('0x036cbd53842c5426634e7929541ec2318f3dcf7e') // '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
 */
export const evmAddresses: ChainAddresses<Address> = {
  namespace: 'eip155',
  name: 'an EVM address',
  canonical: (value) => (isEvmAddress(value) ? getAddress(value) : undefined),
  same: sameAddress,
};
