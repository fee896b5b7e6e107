import type { Chain } from 'viem';
import { parseEther } from 'viem';
import type { DevnetAccount } from './accounts.js';
import { ANVIL_FUNDED_ACCOUNTS, FIRST_EXTRA_PAYER_INDEX } from './accounts.js';
import type { AnvilProcess, StartAnvilOptions } from './anvil.js';
import { startAnvil } from './anvil.js';
import { devnetChain } from './devnet-chain.js';
import type { DevnetClient } from './devnet-client.js';
import { createDevnetClient } from './devnet-client.js';

/** What {@link startDevnetAnvil} hands the setup of one devnet chain. */
export type DevnetAnvil = {
  anvil: AnvilProcess;
  chain: Chain;
  client: DevnetClient;
  /** Mine each setup transaction at once (anvil runs with a block time). */
  mineNow: boolean;
  /** How long anvil took to start. */
  anvilMs: number;
  /** How long the setup has taken so far. */
  setupMs(): number;
};

/**
 * Starts anvil for one devnet chain (`chainId`, timed) and runs `setup` on it with a client; stops anvil
 * if the setup fails. Used by `startDevnet` and `startDevnets`.
 *
 * @example
 * const devnet = await startDevnetAnvil({ chainId: 84532 }, async ({ client, anvil }) => ({ rpcUrl: anvil.rpcUrl }));
 */
export async function startDevnetAnvil<T>(
  options: StartAnvilOptions,
  setup: (on: DevnetAnvil) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const anvil = await startAnvil(options);
  const anvilMs = performance.now() - started;
  try {
    const setupStarted = performance.now();
    const chain = devnetChain({ chainId: options.chainId, rpcUrl: anvil.rpcUrl });
    const client = createDevnetClient(chain);
    const mineNow = options.blockTime !== undefined;
    return await setup({
      anvil,
      chain,
      client,
      mineNow,
      anvilMs,
      setupMs: () => performance.now() - setupStarted,
    });
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

/**
 * Gives 10,000 ETH to the extra payers beyond anvil's funded accounts (the first extra payer is account
 * {@link FIRST_EXTRA_PAYER_INDEX}).
 *
 * @example await fundExtraPayersGas(client, extraPayers)
 */
export async function fundExtraPayersGas(
  client: DevnetClient,
  extraPayers: readonly DevnetAccount[],
): Promise<void> {
  const unfunded = extraPayers.filter((_, i) => FIRST_EXTRA_PAYER_INDEX + i >= ANVIL_FUNDED_ACCOUNTS);
  await Promise.all(
    unfunded.map((a) => client.setBalance({ address: a.address, value: parseEther('10000') })),
  );
}
