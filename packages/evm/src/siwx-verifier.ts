/**
 * The EVM check of a sign-in-with-x proof: the EIP-191 (`personal_sign`) signature of the EIP-4361
 * message. Without a chain client only EOAs are checked (ecrecover, no RPC); with one, smart
 * wallets too: deployed ones through EIP-1271 and counterfactual ones through EIP-6492 (viem's
 * `verifyMessage` of a public client).
 */
import type { SiwxVerifier } from '@x402kit/core';
import { type Hex, isAddress, isHex, verifyMessage } from 'viem';

/** A chain client that checks any wallet's message signature (a viem `PublicClient` fits). */
export type SiwxChainClient = {
  verifyMessage(args: { address: Hex; message: string; signature: Hex }): Promise<boolean>;
};

/**
 * The `eip155` verifier of the payment handler's `signInWithX` option.
 *
 * @example
 * createPaymentHandler({ routes, server, signInWithX: { verifiers: { eip155: createEvmSiwxVerifier({ client: publicClient }) } } })
 */
export function createEvmSiwxVerifier(options: { client?: SiwxChainClient } = {}): SiwxVerifier {
  return async ({ address, message, signature }) => {
    if (!isAddress(address, { strict: false }) || !isHex(signature)) return false;
    const args = { address: address as Hex, message, signature: signature as Hex };
    if (options.client) return options.client.verifyMessage(args);
    try {
      return await verifyMessage(args);
    } catch {
      return false;
    }
  };
}
