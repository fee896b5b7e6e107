/**
 * Finish a `batch-settlement` deposit, claim or refund whose outcome the ledger does not know (its
 * instance died, or the RPC was cut after the send): the recorded transaction's receipt is read, and
 * a successful one that carries the escrow's event for this payment (`Deposited` or `Refunded` of the
 * channel, `Claimed` of the first row's channel) is the answer, with the channel's state as of now.
 * Anything else stays unknown and is asked again later.
 */
import { evmChainId, type Reconcile, type SettleResponse } from '@x402kit/core';
import { decodeEventLog, type Hex, isAddressEqual, isHash, type PublicClient } from 'viem';
import { createEvmClients } from '../chain-module/evm-clients.js';
import { batchSettlementAbi } from './abi.js';
import { computeChannelId } from './channel.js';
import { BATCH_SETTLEMENT_ADDRESS, BATCH_SETTLEMENT_SCHEME } from './constants.js';
import { channelSnapshot, readChannelState } from './facilitator-read-channel-state.js';
import { type BatchPayload, readBatchPayload } from './payload.js';

/** Options of `createBatchSettlementReconciler`. */
export type BatchSettlementReconcilerOptions = {
  /** JSON-RPC URL per EVM network (CAIP-2). */
  rpc?: Record<string, string>;
};

/**
 * Create the reconciler of pending `batch-settlement` payments (one of the EVM chain module's).
 *
 * @example
 * const reconcile = firstReconciler(createBatchSettlementReconciler({ rpc }), createEvmReceiptReconciler({ rpc }))
 */
export function createBatchSettlementReconciler(options: BatchSettlementReconcilerOptions): Reconcile {
  const clientFor = createEvmClients(options.rpc);
  return async function reconcileBatchSettlement(payment, record) {
    const { requirements } = payment;
    if (requirements.scheme !== BATCH_SETTLEMENT_SCHEME) return undefined;
    const client = clientFor(requirements.network);
    const chainId = evmChainId(requirements.network);
    const transaction = record.transaction;
    const read = readBatchPayload(payment.payload.payload, ['deposit', 'claim', 'refund']);
    if (!client || chainId === undefined || !transaction || !isHash(transaction) || !read.ok)
      return undefined;
    const receipt = await client.getTransactionReceipt({ hash: transaction }).catch(() => undefined);
    if (receipt?.status !== 'success') return undefined;
    const payload = read.payload;
    const channelId = channelOf(payload, chainId);
    const event = escrowEvent(receipt.logs, payload.type, channelId);
    if (!event) return undefined;
    const answer: SettleResponse = { success: true, transaction, network: requirements.network };
    if (payload.type === 'claim') return { ...answer, amount: '' };
    if (!('channelConfig' in payload)) return undefined;
    const extra = await stateExtra(client, channelId);
    const payer = payload.channelConfig.payer;
    if (payload.type === 'deposit')
      return {
        ...answer,
        payer,
        amount: payload.deposit.amount,
        asset: payload.channelConfig.token,
        ...extra,
      };
    return { ...answer, payer, amount: event.amount.toString(), ...extra };
  };
}

function channelOf(payload: BatchPayload, chainId: number): Hex {
  if (payload.type === 'claim') {
    const [first] = payload.claims;
    return first ? computeChannelId(first.voucher.channel, chainId) : '0x';
  }
  return 'channelConfig' in payload ? computeChannelId(payload.channelConfig, chainId) : '0x';
}

const EVENT_OF = { deposit: 'Deposited', claim: 'Claimed', refund: 'Refunded' } as const;

/** The escrow's event of this payment's kind and channel in the receipt, with its amount. */
function escrowEvent(
  logs: ReadonlyArray<{ address: string; topics: [Hex, ...Hex[]] | []; data: Hex }>,
  type: BatchPayload['type'],
  channelId: Hex,
): { amount: bigint } | undefined {
  const wanted = EVENT_OF[type as keyof typeof EVENT_OF];
  for (const log of logs) {
    if (!isAddressEqual(log.address as Hex, BATCH_SETTLEMENT_ADDRESS)) continue;
    try {
      const event = decodeEventLog({ abi: batchSettlementAbi, topics: log.topics, data: log.data });
      if (event.eventName !== wanted || !('channelId' in event.args)) continue;
      if (event.args.channelId.toLowerCase() !== channelId) continue;
      return { amount: 'amount' in event.args ? event.args.amount : event.args.claimAmount };
    } catch {
      // another contract's event shape
    }
  }
  return undefined;
}

async function stateExtra(client: PublicClient, channelId: Hex) {
  const state = await readChannelState(client, channelId).catch(() => undefined);
  return state ? { extra: { channelState: channelSnapshot(channelId, state) } } : {};
}
