import type { Hash, TransactionReceipt } from 'viem';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';

/** Options of {@link confirmTransaction}. */
export interface ConfirmTransactionOptions {
  /** Mine a block right away (`evm_mine`) instead of waiting for interval mining. */
  mineNow?: boolean;
  /** Names the step in the error when the transaction reverts, for example `token.mint`. */
  step?: string;
}

/**
 * Waits for a transaction's receipt (polling every 25 ms) and throws {@link DevnetSetupError} if it reverted.
 *
 * @example
 * ```ts
 * const hash = await client.writeContract({ ... });
 * const receipt = await confirmTransaction(client, hash, { step: 'token.mint' });
 * ```
 */
export async function confirmTransaction(
  client: DevnetClient,
  hash: Hash,
  options: ConfirmTransactionOptions = {},
): Promise<TransactionReceipt> {
  if (options.mineNow) await client.mine({ blocks: 1 });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 25, timeout: 60_000 });
  if (receipt.status !== 'success') {
    throw new DevnetSetupError(options.step ?? 'transaction', `transaction ${hash} reverted`);
  }
  return receipt;
}
