import { BSC_PAYMENT_PERMIT_ADDRESS, buildPaymentPermitDomain } from '@x402kit/payment-permit';
import type { Address } from 'viem';
import { domainSeparator } from 'viem';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';
import { paymentPermitArtifact } from './generated/contracts.js';
import { placeRuntimeCode } from './runtime-code.js';

/** BofAI's `PaymentPermit` address on BSC (56) and BSC testnet (97); the devnet places ours there. */
export const PAYMENT_PERMIT_ADDRESS: Address = BSC_PAYMENT_PERMIT_ADDRESS;

/** Chain ids on which {@link startDevnets} places PaymentPermit by default (BSC and BSC testnet). */
export const PAYMENT_PERMIT_CHAIN_IDS: readonly number[] = [56, 97];

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
  const expected = domainSeparator({ domain: buildPaymentPermitDomain(client.chain.id, address) });
  if (separator !== expected) {
    throw new DevnetSetupError(
      'paymentPermit.verify',
      `DOMAIN_SEPARATOR() at ${address} is ${separator}, expected ${expected}`,
    );
  }
}
