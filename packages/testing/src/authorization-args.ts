import type { Address, Hex } from 'viem';

/** An EIP-3009 authorization as signed: the TransferWithAuthorization (or Receive…) message. */
export type Eip3009Authorization = {
  from: Address;
  to: Address;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  nonce: Hex;
};

/**
 * The first six arguments of `transferWithAuthorization` / `receiveWithAuthorization`, in the
 * contract's order; the signature (bytes, or v, r, s) follows them.
 *
 * @example args: [...authorizationArgs(auth), signature]
 */
export function authorizationArgs(
  auth: Eip3009Authorization,
): readonly [Address, Address, bigint, bigint, bigint, Hex] {
  return [auth.from, auth.to, auth.value, auth.validAfter, auth.validBefore, auth.nonce];
}
