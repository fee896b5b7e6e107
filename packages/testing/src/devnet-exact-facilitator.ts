/**
 * Our `exact` EVM facilitator on an anvil devnet, paying gas from the devnet's facilitator account and
 * polling every 20 ms, for tests that settle on the devnet.
 */
import type { Devnet } from '@x402kit/devnet';
import {
  createExactEvmFacilitator,
  type ExactEvmFacilitator,
  type ExactEvmFacilitatorOptions,
} from '@x402kit/evm';

/**
 * `createExactEvmFacilitator` on `devnet`'s one network, signing with its facilitator account; `options`
 * replace any of those settings or add others (`signers`, `receiptTimeoutMs`, `batching`...).
 *
 * @example
 * const facilitator = devnetExactEvmFacilitator(devnet, { signers: [devnetAccount(8).privateKey] })
 */
export function devnetExactEvmFacilitator(
  devnet: Pick<Devnet, 'network' | 'rpcUrl' | 'accounts'>,
  options: Partial<ExactEvmFacilitatorOptions> = {},
): ExactEvmFacilitator {
  return createExactEvmFacilitator({ ...devnetEvmFacilitatorOptions(devnet), ...options });
}

/**
 * The options every EVM facilitator factory shares, for `devnet`: its one network, its facilitator
 * account as the signer, 20 ms polling.
 *
 * @example
 * const upto = createUptoEvmFacilitator(devnetEvmFacilitatorOptions(devnet))
 */
export function devnetEvmFacilitatorOptions(devnet: Pick<Devnet, 'network' | 'rpcUrl' | 'accounts'>) {
  return {
    networks: { [devnet.network]: { rpcUrl: devnet.rpcUrl } },
    signers: [devnet.accounts.facilitator.privateKey],
    pollingIntervalMs: 20,
  };
}
