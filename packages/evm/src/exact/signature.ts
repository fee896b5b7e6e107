/**
 * Who signed the authorization? An EOA signature is recovered locally (no RPC); only when that
 * does not name the payer is the chain asked (ERC-1271 smart wallets).
 */
import { Reasons } from '@x402kit/core';
import { type Address, type Hex, type PublicClient, recoverTypedDataAddress } from 'viem';
import { sameAddress } from '../address.js';
import {
  buildTransferWithAuthorizationTypedData,
  type Eip3009Domain,
  type ExactEvmAuthorization,
} from '../eip3009.js';
import { type Erc6492Deployment, readErc6492Signature } from './erc6492-deployment.js';

export type SignatureVerdict =
  | {
      valid: true;
      /** The signature to put on chain (an ERC-6492 wrapper removed). */
      signature: Hex;
      signer: 'eoa' | 'contract';
      /** A counterfactual wallet's deployment (allowlisted factory) to run before the payment. */
      deployment?: Erc6492Deployment;
    }
  | { valid: false; reason: string; message: string };

/**
 * Reference string for an ERC-6492 signature of a wallet that is not deployed yet and whose factory
 * is not on the facilitator's allowlist (`erc6492Factories`, empty by default).
 */
export const EIP6492_FACTORY_NOT_ALLOWED = Reasons.eip6492FactoryNotAllowed;

const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})+$/;

/**
 * Check that `signature` authorizes `authorization` for `authorization.from` under `domain`.
 * 65-byte signatures are recovered locally first; a mismatch (or any other length) falls back to
 * the chain only when `from` has code (ERC-1271, via viem's `verifyTypedData`). An ERC-6492 wrapped
 * signature of an undeployed wallet is judged (deployment simulated) only when its factory is in
 * `factories`; the verdict then carries the deployment to run.
 *
 * @example
 * const verdict = await verifyAuthorizationSignature(client, domain, authorization, signature, allowedFactories)
 * if (!verdict.valid) return { isValid: false, invalidReason: verdict.reason }
 */
export async function verifyAuthorizationSignature(
  client: Pick<PublicClient, 'getCode' | 'verifyTypedData'>,
  domain: Eip3009Domain,
  authorization: ExactEvmAuthorization,
  signature: string,
  factories?: ReadonlySet<string>,
): Promise<SignatureVerdict> {
  if (!isHexBytes(signature)) return invalid('payload.signature is not 0x-prefixed hex bytes');
  const typedData = buildTransferWithAuthorizationTypedData(domain, authorization);
  const from = authorization.from;

  let inner: Hex = signature;
  const wrapped = await readErc6492Signature(client, { signature, from, allowed: factories });
  if (wrapped.kind === 'refused') return { valid: false, reason: wrapped.reason, message: wrapped.message };
  if (wrapped.kind === 'deploy') {
    // viem runs the deployment inside the eth_call (ERC-6492 universal validator), then ERC-1271
    const ok = await client.verifyTypedData({ address: from, ...typedData, signature }).catch(() => false);
    return ok
      ? { valid: true, signature: wrapped.inner, signer: 'contract', deployment: wrapped.deployment }
      : invalid(
          `the counterfactual wallet ${from} (deployed by ${wrapped.deployment.factory}) rejected the signature`,
        );
  }
  if (wrapped.kind === 'deployed') {
    inner = wrapped.inner;
  } else if (byteLength(signature) === 65) {
    const recovered = await recoverSigner(typedData, signature);
    if (recovered && sameAddress(recovered, from)) return { valid: true, signature, signer: 'eoa' };
    if (!(await hasCode(client, from))) {
      return invalid(`the signature was made by ${recovered ?? 'an unknown key'}, not by ${from}`);
    }
  } else if (!(await hasCode(client, from))) {
    return invalid(`${from} has no code, so its signature must be 65 bytes (got ${byteLength(signature)})`);
  }

  const ok = await client.verifyTypedData({ address: from, ...typedData, signature: inner });
  return ok
    ? { valid: true, signature: inner, signer: 'contract' }
    : invalid(`the smart wallet ${from} rejected the signature (ERC-1271)`);
}

/**
 * Is `value` 0x-prefixed hex of whole bytes?
 *
 * @example isHexBytes('0x1234') // true
 */
export function isHexBytes(value: unknown): value is Hex {
  return typeof value === 'string' && HEX_BYTES.test(value);
}

/**
 * Number of bytes of a 0x-hex string.
 *
 * @example byteLength('0x1234') // 2
 */
export function byteLength(hex: Hex): number {
  return (hex.length - 2) / 2;
}

async function recoverSigner(
  typedData: ReturnType<typeof buildTransferWithAuthorizationTypedData>,
  signature: Hex,
): Promise<Address | undefined> {
  try {
    return await recoverTypedDataAddress({ ...typedData, signature });
  } catch {
    return undefined;
  }
}

async function hasCode(client: Pick<PublicClient, 'getCode'>, address: Address): Promise<boolean> {
  const code = await client.getCode({ address });
  return code !== undefined && code !== '0x';
}

function invalid(message: string): SignatureVerdict {
  return { valid: false, reason: Reasons.exactEvmSignature, message };
}
