/**
 * GasFree's `PermitTransfer`, the TIP-712 message a TRON user signs for a GasFree transfer: its types,
 * its domain and the message as signed (20-byte `0x` addresses). One home for the GasFree contract the
 * devnet deploys and the `exact_gasfree` scheme of `@x402kit/tron` that signs and verifies for it.
 */

/**
 * TIP-712 (EIP-712) types of GasFree's `PermitTransfer` (typehash `0x7152a819…02f4`).
 *
 * @example
 * await account.signTypedData({ domain, types: GASFREE_PERMIT_TRANSFER_TYPES, primaryType: 'PermitTransfer', message });
 */
export const GASFREE_PERMIT_TRANSFER_TYPES = {
  PermitTransfer: [
    { name: 'token', type: 'address' },
    { name: 'serviceProvider', type: 'address' },
    { name: 'user', type: 'address' },
    { name: 'receiver', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'maxFee', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
    { name: 'version', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const;

/**
 * The GasFree permit domain: `{name: "GasFreeController", version: "V1.0.0", chainId, verifyingContract}`.
 *
 * @example
 * gasFreeControllerDomain(3448148188, '0x518688FB…');
 * // { name: 'GasFreeController', version: 'V1.0.0', chainId: 3448148188, verifyingContract: '0x518688FB…' }
 */
export function gasFreeControllerDomain(chainId: number, verifyingContract: `0x${string}`) {
  return { name: 'GasFreeController', version: 'V1.0.0', chainId, verifyingContract } as const;
}

/**
 * A GasFree `PermitTransfer` as signed: 20-byte `0x` addresses, bigint numbers.
 *
 * @example
 * const message: GasFreePermitMessage = { token, serviceProvider, user, receiver, value: 1_000_000n, maxFee: 100_000n, deadline: 1_700_000_600n, version: 1n, nonce: 0n };
 */
export interface GasFreePermitMessage {
  token: `0x${string}`;
  serviceProvider: `0x${string}`;
  user: `0x${string}`;
  receiver: `0x${string}`;
  value: bigint;
  maxFee: bigint;
  deadline: bigint;
  version: bigint;
  nonce: bigint;
}
