/**
 * The on-chain state of a channel in ONE Multicall3 `aggregate3` call: `channels`, `pendingWithdrawals`
 * and `refundNonce` of the escrow, and on demand the payer's token balance and its Permit2 allowance
 * (what a deposit needs). Every read of one call is at the same block.
 */
import { type Address, erc20Abi, type Hex, type PublicClient } from 'viem';
import { errorText } from '../error-text.js';
import { MULTICALL3_ADDRESS } from '../multicall3.js';
import { PERMIT2_ADDRESS } from '../permit2/constants.js';
import { batchSettlementAbi } from './abi.js';
import type { ChannelConfig, ChannelSnapshot } from './channel.js';
import { BATCH_SETTLEMENT_ADDRESS } from './constants.js';

/** A channel's escrow state, plus the payer's token facts when asked for. */
export type ChannelState = {
  balance: bigint;
  totalClaimed: bigint;
  /** Unix seconds a timed withdrawal was started; 0 when none is pending. */
  withdrawRequestedAt: number;
  refundNonce: bigint;
  /** The payer's token balance (with `payer`). */
  payerBalance?: bigint;
  /** The payer's allowance to Permit2 (with `permit2Allowance: true`). */
  permit2Allowance?: bigint;
  /** With `simulate`: why the simulated escrow call reverted, or `undefined` when it would succeed. */
  simulationError?: string;
};

/** The arguments of the escrow's `deposit`. */
export type DepositArgs = readonly [ChannelConfig, bigint, Address, Hex];

/** What else to read beside the escrow's state. */
export type ChannelStateReads = {
  payer?: Address;
  token?: Address;
  permit2Allowance?: boolean;
  /** A deposit to simulate in the same multicall (anyone may send one): the escrow's `deposit` arguments. */
  simulateDeposit?: DepositArgs;
};

/**
 * Read a channel's state (and, with `reads.payer` and `reads.token`, the payer's balance and
 * optionally its Permit2 allowance) in one `eth_call`. Throws when the call or any read fails.
 *
 * @example
 * const state = await readChannelState(client, channelId, { payer, token })
 */
export async function readChannelState(
  client: Pick<PublicClient, 'multicall'>,
  channelId: Hex,
  reads: ChannelStateReads = {},
): Promise<ChannelState> {
  const escrow = { address: BATCH_SETTLEMENT_ADDRESS, abi: batchSettlementAbi } as const;
  const token = reads.payer && reads.token ? { address: reads.token, abi: erc20Abi } : undefined;
  const contracts = [
    { ...escrow, functionName: 'channels', args: [channelId] },
    { ...escrow, functionName: 'pendingWithdrawals', args: [channelId] },
    { ...escrow, functionName: 'refundNonce', args: [channelId] },
    ...(token && reads.payer ? [{ ...token, functionName: 'balanceOf', args: [reads.payer] }] : []),
    ...(token && reads.payer && reads.permit2Allowance
      ? [{ ...token, functionName: 'allowance', args: [reads.payer, PERMIT2_ADDRESS] }]
      : []),
  ] as const;
  const deposit = reads.simulateDeposit
    ? [{ ...escrow, functionName: 'deposit', args: reads.simulateDeposit }]
    : [];
  const results = (await client.multicall({
    contracts: [...contracts, ...deposit] as never,
    allowFailure: true,
    multicallAddress: MULTICALL3_ADDRESS,
  })) as unknown as Array<{ status: 'success'; result: unknown } | { status: 'failure'; error: unknown }>;
  const simulation = reads.simulateDeposit ? results.pop() : undefined;
  const values = results.map((r) => {
    if (r.status === 'failure') throw r.error;
    return r.result;
  });
  const [channel, withdrawal, refundNonce, payerBalance, allowance] = values as [
    readonly [bigint, bigint],
    readonly [bigint, number],
    bigint,
    bigint | undefined,
    bigint | undefined,
  ];
  return {
    balance: channel[0],
    totalClaimed: channel[1],
    withdrawRequestedAt: Number(withdrawal[1]),
    refundNonce,
    ...(payerBalance === undefined ? {} : { payerBalance }),
    ...(allowance === undefined ? {} : { permit2Allowance: allowance }),
    ...(simulation?.status === 'failure' ? { simulationError: errorText(simulation.error) } : {}),
  };
}

/**
 * The wire snapshot of a channel's state (`extra` of `/verify`, `extra.channelState` of `/settle`).
 *
 * @example
 * return { isValid: true, payer, extra: channelSnapshot(channelId, state) }
 */
export function channelSnapshot(channelId: Hex, state: ChannelState): ChannelSnapshot {
  return {
    channelId,
    balance: state.balance.toString(),
    totalClaimed: state.totalClaimed.toString(),
    withdrawRequestedAt: state.withdrawRequestedAt,
    refundNonce: state.refundNonce.toString(),
  };
}
