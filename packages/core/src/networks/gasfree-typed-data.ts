/**
 * GasFree's `PermitTransfer`, the TIP-712 message a TRON user signs for a GasFree transfer: its types,
 * its domain and the message as signed (20-byte `0x` addresses). One home for the GasFree contract the
 * devnet deploys and the `exact_gasfree` scheme of `@x402kit/tron` that signs and verifies for it.
 */
import { eip712Types } from '../internal/eip712-types.js';

/**
 * TIP-712 (EIP-712) types of GasFree's `PermitTransfer` (typehash `0x7152a819…02f4`).
 *
 * @example
 * await account.signTypedData({ domain, types: GASFREE_PERMIT_TRANSFER_TYPES, primaryType: 'PermitTransfer', message });
 */
export const GASFREE_PERMIT_TRANSFER_TYPES = eip712Types(
  'PermitTransfer(address token,address serviceProvider,address user,address receiver,uint256 value,uint256 maxFee,uint256 deadline,uint256 version,uint256 nonce)',
);

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
