import type {
  Chain,
  Client,
  HttpTransport,
  PublicActions,
  TestActions,
  TestRpcSchema,
  WalletActions,
} from 'viem';
import { createTestClient, http, publicActions, walletActions } from 'viem';

/** Poll interval for receipts and blocks on a local chain (viem's default of 4 s stalls settles on anvil). */
export const DEVNET_POLLING_INTERVAL_MS = 25;

/**
 * One viem client with anvil test actions (`setCode`, `mine`, `setBalance`, ...), public actions and wallet
 * actions, polling every 25 ms. Wallet actions given an address (not a local account) use anvil's unlocked
 * accounts, so anvil assigns nonces.
 *
 * @example
 * ```ts
 * const client = createDevnetClient(devnet.chain);
 * await client.setBalance({ address: devnetAccount(12).address, value: 10n ** 18n });
 * ```
 */
export function createDevnetClient(chain: Chain): DevnetClient {
  const url = chain.rpcUrls.default.http[0];
  return createTestClient({
    mode: 'anvil',
    chain,
    transport: http(url, { batch: true, retryCount: 0 }),
    pollingInterval: DEVNET_POLLING_INTERVAL_MS,
  })
    .extend(publicActions)
    .extend(walletActions);
}

/** The client {@link createDevnetClient} returns: anvil test actions, public actions and wallet actions. */
export type DevnetClient = Client<
  HttpTransport,
  Chain,
  undefined,
  TestRpcSchema<'anvil'>,
  { mode: 'anvil' } & TestActions & PublicActions<HttpTransport, Chain> & WalletActions<Chain>
>;
