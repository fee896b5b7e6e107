/**
 * The paying side of `exact` on EVM: signs an EIP-3009 `TransferWithAuthorization` for the chosen
 * requirements. No RPC: signing is local to the signer.
 */
import { type PaymentRequirements, Reasons, type SchemeClient, X402Error } from '@x402kit/core';
import { type Address, getAddress, type Hex, type TypedDataDefinition, toHex } from 'viem';
import { isEvmAddress } from '../address.js';
import {
  buildTransferWithAuthorizationTypedData,
  type ExactEvmAuthorization,
  type ExactEvmPayload,
} from '../eip3009.js';
import { createPermit2ClientPayload } from '../permit2/permit2-client-payload.js';
import type { Permit2SponsoringOptions } from '../permit2/sponsoring-client.js';
import { chainIdOf } from '../signing-chain-id.js';

/**
 * Anything that can sign EIP-712 typed data for one address: a viem `LocalAccount`
 * (`privateKeyToAccount(key)`), or a custom `{ address, signTypedData }` (a wallet, a KMS).
 */
export type ExactEvmSigner = {
  readonly address: Address;
  /** Signs any EIP-712 document (EIP-3009, Permit2 and EIP-2612 permits). */
  signTypedData(parameters: TypedDataDefinition): Promise<Hex>;
};

/** Options of `createExactEvmClient`. */
export type ExactEvmClientOptions = {
  signer: ExactEvmSigner;
  /**
   * Reads (Permit2 allowance, EIP-2612 nonces, the account nonce and fees) and transaction signing
   * for the gas-sponsoring extensions of Permit2 payments. Without it, Permit2 payments carry no
   * extension (the payer must have approved Permit2 beforehand).
   */
  permit2?: Permit2SponsoringOptions;
};

/** The requirement fields signing needs (a full `PaymentRequirements` fits). */
export type ExactEvmSigningRequirements = Pick<
  PaymentRequirements,
  'network' | 'asset' | 'amount' | 'payTo' | 'maxTimeoutSeconds' | 'extra'
>;

/** Options of `signExactEvmAuthorization`. */
export type SignExactEvmAuthorizationOptions = {
  /** Unix seconds to compute the validity window from; default now. */
  now?: number;
  /**
   * Replace fields of the authorization before signing (tests and tools; the signature stays valid
   * for the replaced values).
   */
  authorization?: Partial<ExactEvmAuthorization>;
};

/** Seconds before now that `validAfter` is set to, to absorb clock skew (reference client: 600). */
const VALID_AFTER_SKEW_SECONDS = 600;

/**
 * Create the client half of `exact` on EVM, for `createX402Client` from `@x402kit/core`.
 *
 * @example
 * const client = createX402Client({
 *   schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer: privateKeyToAccount(key) }) }],
 * })
 */
export function createExactEvmClient(options: ExactEvmClientOptions): SchemeClient {
  const { signer } = options;
  return {
    scheme: 'exact',
    async createPaymentPayload(requirements, ctx) {
      if (requirements.extra?.assetTransferMethod === 'permit2') {
        return createPermit2ClientPayload(signer, requirements, 'exact', ctx, options.permit2);
      }
      const payload = await signExactEvmAuthorization(signer, requirements);
      return { payload: { signature: payload.signature, authorization: { ...payload.authorization } } };
    },
  };
}

/**
 * Build and sign the EIP-3009 authorization for `requirements`: `to` = payTo (checksummed),
 * `value` = amount, `validAfter` = now - 600, `validBefore` = now + maxTimeoutSeconds, a random
 * 32-byte nonce. Throws {@link X402Error} when the requirements cannot be paid this way.
 *
 * @example
 * const { signature, authorization } = await signExactEvmAuthorization(privateKeyToAccount(key), requirements)
 */
export async function signExactEvmAuthorization(
  signer: ExactEvmSigner,
  requirements: ExactEvmSigningRequirements,
  options: SignExactEvmAuthorizationOptions = {},
): Promise<ExactEvmPayload> {
  const domain = signingDomain(requirements);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const authorization: ExactEvmAuthorization = {
    from: getAddress(signer.address),
    to: getAddress(requirements.payTo),
    value: requirements.amount,
    validAfter: String(now - VALID_AFTER_SKEW_SECONDS),
    validBefore: String(now + requirements.maxTimeoutSeconds),
    nonce: createAuthorizationNonce(),
    ...options.authorization,
  };
  const signature = await signer.signTypedData(
    buildTransferWithAuthorizationTypedData(domain, authorization),
  );
  return { signature, authorization };
}

/**
 * 32 bytes from the platform CSPRNG as 0x-hex: a fresh EIP-3009 nonce.
 *
 * @example createAuthorizationNonce() // '0x3f9c…' (66 characters)
 */
export function createAuthorizationNonce(): Hex {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

function signingDomain(requirements: ExactEvmSigningRequirements) {
  const chainId = chainIdOf(requirements.network, 'exact');
  const extra = requirements.extra ?? {};
  if (extra.assetTransferMethod !== undefined && extra.assetTransferMethod !== 'eip3009') {
    throw new X402Error(
      Reasons.unsupportedPayloadType,
      `exact EVM client: asset transfer method "${String(extra.assetTransferMethod)}" is not supported (eip3009 or permit2)`,
    );
  }
  const { name, version } = extra;
  if (typeof name !== 'string' || name === '' || typeof version !== 'string' || version === '') {
    throw new X402Error(
      Reasons.exactEvmMissingEip712Domain,
      `exact EVM client: requirements.extra.name and requirements.extra.version (the EIP-712 domain of token ${requirements.asset}) are required to sign an EIP-3009 authorization`,
    );
  }
  if (!isEvmAddress(requirements.asset)) {
    throw new X402Error(
      Reasons.invalidPaymentRequirements,
      `exact EVM client: requirements.asset "${requirements.asset}" is not an EVM address`,
    );
  }
  if (!isEvmAddress(requirements.payTo)) {
    throw new X402Error(
      Reasons.invalidPaymentRequirements,
      `exact EVM client: requirements.payTo "${requirements.payTo}" is not an EVM address`,
    );
  }
  return { name, version, chainId, verifyingContract: requirements.asset };
}
