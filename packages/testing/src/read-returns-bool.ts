import { type DevnetClient, plainErc20TokenArtifact } from '@x402kit/devnet';
import type { Address } from 'viem';

/**
 * Whether the devnet's plain ERC-20 at `token` answers `transfer`/`transferFrom` with a bool (USDT on BSC
 * does, USDT on Ethereum and TRON does not): its `returnsBool()` flag, read on-chain.
 *
 * @example assert.equal(await readReturnsBool(createDevnetClient(bsc.chain), BSC_TESTNET_USDT_ADDRESS), true)
 */
export function readReturnsBool(client: DevnetClient, token: Address): Promise<boolean> {
  return client.readContract({
    address: token,
    abi: plainErc20TokenArtifact.abi,
    functionName: 'returnsBool',
  });
}
