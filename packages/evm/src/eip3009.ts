/**
 * EIP-3009 `transferWithAuthorization`: the EIP-712 types and domain, the token ABI fragments the
 * three roles use, and the wire shape of the `exact` payload. One place, shared by client, server
 * and facilitator.
 */
import { TRANSFER_WITH_AUTHORIZATION_TYPES } from '@x402kit/core/internal';
import type { Address, Hex, TypedDataDomain } from 'viem';
import { parseAbi } from 'viem';

/**
 * EIP-712 types of the authorization a payer signs (FiatToken v2 / EIP-3009).
 *
 * @example
 * await account.signTypedData({ domain, types: transferWithAuthorizationTypes, primaryType: 'TransferWithAuthorization', message })
 */
export const transferWithAuthorizationTypes = TRANSFER_WITH_AUTHORIZATION_TYPES;

/** The authorization as it travels on the wire: addresses, decimal strings and a 32-byte nonce. */
export type ExactEvmAuthorization = {
  from: Address;
  to: Address;
  /** Atomic units, decimal string. */
  value: string;
  /** Unix seconds, decimal string. */
  validAfter: string;
  /** Unix seconds, decimal string. */
  validBefore: string;
  /** 0x + 64 hex digits. */
  nonce: Hex;
};

/** The `payload` of an `exact` EVM payment made with EIP-3009. */
export type ExactEvmPayload = {
  signature: Hex;
  authorization: ExactEvmAuthorization;
};

/** The EIP-712 domain of an EIP-3009 token. */
export type Eip3009Domain = {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: Address;
};

/**
 * The token's EIP-712 domain. The contract address is lower-cased: the encoding is the same and
 * viem's strict checksum validation then never rejects a client's spelling.
 *
 * @example
 * buildEip3009Domain({ name: 'USDC', version: '2', chainId: 84532, verifyingContract: '0x036CbD53842c5426634e7929541eC2318f3dCF7e' })
 */
export function buildEip3009Domain(domain: Eip3009Domain): TypedDataDomain {
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: lower(domain.verifyingContract),
  };
}

/**
 * The typed-data definition to sign or verify for one authorization (wire strings -> EIP-712 values).
 *
 * @example
 * const typedData = buildTransferWithAuthorizationTypedData(domain, payload.authorization)
 * await account.signTypedData(typedData)
 */
export function buildTransferWithAuthorizationTypedData(
  domain: Eip3009Domain,
  authorization: ExactEvmAuthorization,
) {
  return {
    domain: buildEip3009Domain(domain),
    types: transferWithAuthorizationTypes,
    primaryType: 'TransferWithAuthorization',
    message: {
      from: lower(authorization.from),
      to: lower(authorization.to),
      value: BigInt(authorization.value),
      validAfter: BigInt(authorization.validAfter),
      validBefore: BigInt(authorization.validBefore),
      nonce: authorization.nonce,
    },
  } as const;
}

/**
 * ABI fragments of an EIP-3009 token (FiatToken v2 compatible): both `transferWithAuthorization`
 * overloads (v,r,s selector `0xe3ee160e`, bytes selector `0xcf092995`), `authorizationState`,
 * `balanceOf`, `name`, `version` and the ERC-20 `Transfer` event.
 *
 * @example
 * encodeFunctionData({ abi: eip3009Abi, functionName: 'authorizationState', args: [from, nonce] })
 */
export const eip3009Abi = parseAbi([
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)',
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature)',
  'function authorizationState(address authorizer, bytes32 nonce) view returns (bool)',
  'function balanceOf(address account) view returns (uint256)',
  'function name() view returns (string)',
  'function version() view returns (string)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
]);

function lower(address: Address): Address {
  return `0x${address.slice(2).toLowerCase()}`;
}
