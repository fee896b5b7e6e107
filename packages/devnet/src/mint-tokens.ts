import type { Address, Hash } from 'viem';
import type { Devnet } from './devnet.js';
import { createDevnetClient } from './devnet-client.js';
import { mintWith } from './mint-with.js';

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
