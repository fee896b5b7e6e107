/**
 * The paying side of Permit2 payments: build and sign the witness authorization for the `exact`
 * proxy (`witness {to, validAfter}`) or the `upto` proxy (`witness {to, facilitator, validAfter}`).
 */
import { type PaymentRequirements, Reasons, X402Error } from '@x402kit/core';
import { type Address, getAddress, type Hex, type TypedDataDefinition, toHex } from 'viem';
import { isEvmAddress } from '../address.js';
import { chainIdOf } from '../signing-chain-id.js';
import { X402_EXACT_PERMIT2_PROXY_ADDRESS, X402_UPTO_PERMIT2_PROXY_ADDRESS } from './constants.js';
import { buildPermit2TypedData, type Permit2Authorization, type Permit2Payload } from './typed-data.js';

/** Anything that signs EIP-712 typed data for one address (a viem `LocalAccount`, a wallet). */
export type Permit2Signer = {
  readonly address: Address;
  signTypedData(parameters: TypedDataDefinition): Promise<Hex>;
};

/** The requirement fields signing needs (a full `PaymentRequirements` fits). */
export type Permit2SigningRequirements = Pick<
  PaymentRequirements,
  'network' | 'asset' | 'amount' | 'payTo' | 'maxTimeoutSeconds' | 'extra'
>;

/** Options of `signPermit2Authorization`. */
export type SignPermit2AuthorizationOptions = {
  /** `exact` (spender = exact proxy) or `upto` (spender = upto proxy, witness names the facilitator). */
  kind: 'exact' | 'upto';
  /** Unix seconds the window is computed from; default now. */
  now?: number;
  /** Replace fields before signing (tests and tools). */
  authorization?: Partial<Permit2Authorization>;
};

/** Seconds before now that `witness.validAfter` is set to, to absorb clock skew. */
const VALID_AFTER_SKEW_SECONDS = 600;

/**
 * 32 CSPRNG bytes as a decimal uint256 string: a fresh Permit2 nonce (the reference's format).
 *
 * @example createPermit2Nonce() // '8472…' (up to 78 digits)
 */
export function createPermit2Nonce(): string {
  return BigInt(toHex(crypto.getRandomValues(new Uint8Array(32)))).toString();
}

/**
 * Build and sign a Permit2 witness authorization for `requirements`: permitted = (asset, amount),
 * deadline = now + maxTimeoutSeconds, witness.validAfter = now - 600, witness.to = payTo, and for
 * `upto` witness.facilitator = `extra.facilitatorAddress` (required).
 *
 * @example
 * const payload = await signPermit2Authorization(privateKeyToAccount(key), requirements, { kind: 'exact' })
 * // { signature, permit2Authorization: { from, permitted, spender, nonce, deadline, witness } }
 */
export async function signPermit2Authorization(
  signer: Permit2Signer,
  requirements: Permit2SigningRequirements,
  options: SignPermit2AuthorizationOptions,
): Promise<Permit2Payload> {
  const chainId = chainIdOf(requirements.network, options.kind);
  for (const field of ['asset', 'payTo'] as const) {
    if (!isEvmAddress(requirements[field])) {
      throw new X402Error(
        Reasons.invalidPaymentRequirements,
        `${options.kind} Permit2 client: requirements.${field} "${requirements[field]}" is not an EVM address`,
      );
    }
  }
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const witness: Permit2Authorization['witness'] = {
    to: getAddress(requirements.payTo),
    validAfter: String(Math.max(0, now - VALID_AFTER_SKEW_SECONDS)),
  };
  if (options.kind === 'upto') {
    const facilitator = requirements.extra?.facilitatorAddress;
    if (!isEvmAddress(facilitator)) {
      throw new X402Error(
        Reasons.invalidPaymentRequirements,
        'upto EVM client: requirements.extra.facilitatorAddress is required (the server copies it from the facilitator /supported kind); ask the server operator to use an upto-capable facilitator',
      );
    }
    witness.facilitator = getAddress(facilitator);
  }
  const authorization: Permit2Authorization = {
    from: getAddress(signer.address),
    permitted: { token: getAddress(requirements.asset), amount: requirements.amount },
    spender: options.kind === 'upto' ? X402_UPTO_PERMIT2_PROXY_ADDRESS : X402_EXACT_PERMIT2_PROXY_ADDRESS,
    nonce: createPermit2Nonce(),
    deadline: String(now + requirements.maxTimeoutSeconds),
    witness,
    ...options.authorization,
  };
  const typedData: TypedDataDefinition = buildPermit2TypedData(chainId, authorization);
  const signature = await signer.signTypedData(typedData);
  return { signature, permit2Authorization: authorization };
}
