import type { Address, Hash } from 'viem';
import { confirmTransaction } from './confirm-transaction.js';
import type { DevnetClient } from './devnet-client.js';
import { eip3009TokenArtifact } from './generated/contracts.js';

/** Parameters of {@link mintWith}. */
export interface MintWithParameters {
  token: Address;
  /** The token's owner, an unlocked anvil account. */
  owner: Address;
  to: Address;
  amount: bigint;
  mineNow?: boolean;
}

/**
 * `mintTokens` over an existing client: the token's owner mints `amount` to `to`, and the call waits until
 * the transaction is mined.
 *
 * @example
 * ```ts
 * await mintWith(client, { token, owner: DEVNET_ACCOUNTS.deployer.address, to, amount: 1_000_000n });
 * ```
 */
export async function mintWith(client: DevnetClient, parameters: MintWithParameters): Promise<Hash> {
  const hash = await client.writeContract({
    address: parameters.token,
    abi: eip3009TokenArtifact.abi,
    functionName: 'mint',
    args: [parameters.to, parameters.amount],
    account: parameters.owner,
    chain: client.chain,
  });
  await confirmTransaction(client, hash, { mineNow: parameters.mineNow, step: 'token.mint' });
  return hash;
}
