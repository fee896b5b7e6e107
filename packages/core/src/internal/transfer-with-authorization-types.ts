/**
 * EIP-3009 `TransferWithAuthorization` as EIP-712 types, plain data with no chain library: one
 * definition for `@x402kit/evm`, which signs and verifies it, and the paywall page's browser script
 * of `@x402kit/http`, which asks the wallet to sign it (`eth_signTypedData_v4`).
 */
import { eip712Types } from './eip712-types.js';

/**
 * `TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)`
 * (FiatToken v2 / EIP-3009).
 *
 * @example
 * await account.signTypedData({ domain, types: TRANSFER_WITH_AUTHORIZATION_TYPES, primaryType: 'TransferWithAuthorization', message })
 */
export const TRANSFER_WITH_AUTHORIZATION_TYPES = eip712Types(
  'TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)',
);
