/**
 * Withdrawal pressure for the claim scheduler: a payer who starts a timed withdrawal can take back,
 * once `withdrawDelay` has passed, everything not yet claimed, including what the server already
 * served. The scheduler reads the escrow's `pendingWithdrawals` of its unclaimed channels (one
 * Multicall3 call per 200 channels) and claims a channel whose withdrawal started at once, whatever
 * its amount and age. Internal to the claim scheduler.
 */
import { X402Error } from '@x402kit/core';
import { createPublicClient, type Hex, http, type PublicClient } from 'viem';
import { MULTICALL3_ADDRESS } from '../multicall3.js';
import { batchSettlementAbi } from './abi.js';
import type { ServerChannel } from './channel-store.js';
import { BATCH_SETTLEMENT_ADDRESS } from './constants.js';
import { BatchSettlementReasons } from './reasons.js';

/** Channels per multicall. */
const CHUNK = 200;

/** Reads the withdrawal start of channels: Unix seconds per channel id, 0 when none is pending. */
export type WithdrawalReader = (channelIds: readonly Hex[]) => Promise<Map<Hex, number>>;

/**
 * A reader of the escrow's `pendingWithdrawals` over a node.
 *
 * @example const read = withdrawalReader('http://127.0.0.1:8545'); const started = await read([channelId])
 */
export function withdrawalReader(rpcUrl: string): WithdrawalReader {
  const client = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
  return async (channelIds) => {
    const started = new Map<Hex, number>();
    for (let i = 0; i < channelIds.length; i += CHUNK) {
      const ids = channelIds.slice(i, i + CHUNK);
      const results = await client.multicall({
        contracts: ids.map((id) => ({
          address: BATCH_SETTLEMENT_ADDRESS,
          abi: batchSettlementAbi,
          functionName: 'pendingWithdrawals',
          args: [id],
        })),
        allowFailure: true,
        multicallAddress: MULTICALL3_ADDRESS,
      });
      results.forEach((r, j) => {
        if (r.status === 'success')
          started.set(ids[j]!, Number((r.result as unknown as readonly [bigint, number])[1]));
      });
    }
    return started;
  };
}

/**
 * Mark (in place) the channels among `claimable` whose payer started a withdrawal, as read now; a
 * failed read leaves them as the store knows them and is handed to `onError` (an `X402Error`
 * `invalid_batch_settlement_evm_rpc_read_failed`, the read's error as its `cause`).
 *
 * @example await markWithdrawals(read, claimable, (e) => log(e))
 */
export async function markWithdrawals(
  read: WithdrawalReader,
  claimable: ServerChannel[],
  onError: (error: Error) => void,
): Promise<void> {
  const unknown = claimable.filter((c) => c.withdrawRequestedAt === 0);
  if (unknown.length === 0) return;
  let started: Map<Hex, number>;
  try {
    started = await read(unknown.map((c) => c.channelId));
  } catch (error) {
    onError(
      new X402Error(
        BatchSettlementReasons.rpcReadFailed,
        `reading pending withdrawals failed: ${(error as Error).message}`,
        { cause: error },
      ),
    );
    return;
  }
  for (const c of unknown) {
    const at = started.get(c.channelId) ?? 0;
    if (at !== 0) c.withdrawRequestedAt = at;
  }
}
