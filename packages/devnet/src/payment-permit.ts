import type { Address } from 'viem';
import { domainSeparator } from 'viem';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';
import { paymentPermitArtifact } from './generated/contracts.js';
import { placeRuntimeCode } from './runtime-code.js';

/** BofAI's `PaymentPermit` address on BSC (56) and BSC testnet (97); the devnet places ours there. */
export const PAYMENT_PERMIT_ADDRESS: Address = '0x1825bB32db3443dEc2cc7508b2D818fc13EaD878';

/** Chain ids on which {@link startDevnets} places PaymentPermit by default (BSC and BSC testnet). */
export const PAYMENT_PERMIT_CHAIN_IDS: readonly number[] = [56, 97];

/**
 * The EIP-712 domain PaymentPermit signatures use: `{name: "PaymentPermit", chainId, verifyingContract}`, no
 * version (domain type `EIP712Domain(string name,uint256 chainId,address verifyingContract)`).
 *
 * @example
 * ```ts
 * await account.signTypedData({ domain: paymentPermitDomain(97), types, primaryType: 'PaymentPermitDetails', message });
 * ```
 */
export function paymentPermitDomain(chainId: number, verifyingContract: Address = PAYMENT_PERMIT_ADDRESS) {
  return { name: 'PaymentPermit', chainId, verifyingContract } as const;
}

/**
 * EIP-712 types of `PaymentPermitDetails` for viem's `signTypedData` / `hashTypedData`.
 *
 * @example
 * ```ts
 * hashTypedData({ domain: paymentPermitDomain(97), types: PAYMENT_PERMIT_TYPES, primaryType: 'PaymentPermitDetails', message });
 * ```
 */
export const PAYMENT_PERMIT_TYPES = {
  PaymentPermitDetails: [
    { name: 'meta', type: 'PermitMeta' },
    { name: 'buyer', type: 'address' },
    { name: 'caller', type: 'address' },
    { name: 'payment', type: 'Payment' },
    { name: 'fee', type: 'Fee' },
  ],
  PermitMeta: [
    { name: 'kind', type: 'uint8' },
    { name: 'paymentId', type: 'bytes16' },
    { name: 'nonce', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
  ],
  Payment: [
    { name: 'payToken', type: 'address' },
    { name: 'payAmount', type: 'uint256' },
    { name: 'payTo', type: 'address' },
  ],
  Fee: [
    { name: 'feeTo', type: 'address' },
    { name: 'feeAmount', type: 'uint256' },
  ],
} as const;

/**
 * Places our PaymentPermit (BofAI `exact_permit` ABI) at `address` (default {@link PAYMENT_PERMIT_ADDRESS}) and
 * checks its `DOMAIN_SEPARATOR()` for that address and chain.
 *
 * @example
 * ```ts
 * await placePaymentPermit(client);
 * ```
 */
export async function placePaymentPermit(
  client: DevnetClient,
  address: Address = PAYMENT_PERMIT_ADDRESS,
): Promise<void> {
  await placeRuntimeCode(client, {
    creationCode: paymentPermitArtifact.bytecode,
    address,
    step: 'paymentPermit',
  });
  const separator = await client.readContract({
    address,
    abi: paymentPermitArtifact.abi,
    functionName: 'DOMAIN_SEPARATOR',
  });
  const expected = domainSeparator({ domain: paymentPermitDomain(client.chain.id, address) });
  if (separator !== expected) {
    throw new DevnetSetupError(
      'paymentPermit.verify',
      `DOMAIN_SEPARATOR() at ${address} is ${separator}, expected ${expected}`,
    );
  }
}
