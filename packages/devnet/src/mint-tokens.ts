import type { Address, Hash } from 'viem';
import { confirmTransaction } from './confirm-transaction.js';
import type { Devnet } from './devnet.js';
import type { DevnetClient } from './devnet-client.js';
import { createDevnetClient } from './devnet-client.js';
import { eip3009TokenArtifact } from './generated/contracts.js';

/**
 * Mints `amount` atomic units of the devnet's token to `to` (sent by the deployer, the token's owner) and
 * waits until the transaction is mined. On a devnet with `blockTime` this waits for the next block.
 *
 * @example
 * ```ts
 * await mintTokens(devnet, devnetAccount(7).address, 5_000_000n); // 5 USDC
 * ```
 */
export async function mintTokens(
  devnet: Pick<Devnet, 'chain' | 'token' | 'accounts'>,
  to: Address,
  amount: bigint,
): Promise<Hash> {
  const client = createDevnetClient(devnet.chain);
  return mintWith(client, {
    token: devnet.token.address,
    owner: devnet.accounts.deployer.address,
    to,
    amount,
  });
}

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
 * {@link mintTokens} over an existing client.
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
