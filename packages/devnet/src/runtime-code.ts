import type { Address, Hex } from 'viem';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';

/** Parameters of {@link placeRuntimeCode}. */
export interface PlaceRuntimeCodeParameters {
  /** Creation code with the ABI-encoded constructor arguments appended. */
  creationCode: Hex;
  /** Where the resulting runtime code goes. */
  address: Address;
  /** Names the step in errors, for example `proxy.exact`. */
  step: string;
}

/**
 * Places a contract without a transaction: runs its creation code in an `eth_call` (the constructor runs, so
 * immutables are filled in; storage writes are discarded) and sets the returned runtime code at `address`.
 * Only for contracts whose constructor writes no storage.
 *
 * @example
 * ```ts
 * await placeRuntimeCode(client, { creationCode, address: X402_EXACT_PERMIT2_PROXY_ADDRESS, step: 'proxy' });
 * ```
 */
export async function placeRuntimeCode(
  client: DevnetClient,
  { creationCode, address, step }: PlaceRuntimeCodeParameters,
): Promise<void> {
  const { data: runtime } = await client.call({ data: creationCode });
  if (runtime === undefined || runtime.length <= 2) {
    throw new DevnetSetupError(step, 'running the creation code returned no runtime code');
  }
  await client.setCode({ address, bytecode: runtime });
}
