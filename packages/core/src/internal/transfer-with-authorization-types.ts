/**
 * EIP-3009 `TransferWithAuthorization` as EIP-712 types, plain data with no chain library: one
 * definition for `@x402kit/evm`, which signs and verifies it, and the paywall page's browser script
 * of `@x402kit/http`, which asks the wallet to sign it (`eth_signTypedData_v4`).
 */

/**
 * `TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)`
 * (FiatToken v2 / EIP-3009).
 *
 * @example
 * await account.signTypedData({ domain, types: TRANSFER_WITH_AUTHORIZATION_TYPES, primaryType: 'TransferWithAuthorization', message })
 */
export const TRANSFER_WITH_AUTHORIZATION_TYPES = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const;
