/**
 * `/verify` of `batch-settlement` on EVM: a `deposit`, `voucher` or `refund` payload against the spec's
 * verification rules 1-11, the chain read in one multicall, and the channel snapshot in `extra`.
 */
import type { PaymentPayload, PaymentRequirements, VerifyResponse } from '@x402kit/core';
import { evmChainId } from '@x402kit/core';
import { errorText } from '../error-text.js';
import type { EvmNetwork } from '../evm-network.js';
import { BATCH_SETTLEMENT_SCHEME } from './constants.js';
import { checkChannel } from './facilitator-check-channel.js';
import { checkDepositAuthorization, depositArgs } from './facilitator-check-deposit.js';
import { type BatchFacilitatorContext, refuseVerify } from './facilitator-context.js';
import { type ChannelState, channelSnapshot, readChannelState } from './facilitator-read-channel-state.js';
import { type DepositPayload, type RefundPayload, readBatchPayload, type VoucherPayload } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';

/** A client payload that passed, with what was read for it. */
export type VerifiedBatchPayment = {
  response: VerifyResponse;
  /** Present when valid. */
  verified?: {
    payload: DepositPayload | VoucherPayload | RefundPayload;
    network: EvmNetwork;
    chainId: number;
    state: ChannelState;
  };
};

/**
 * Verify a `deposit`, `voucher` or `refund` payload; a deposit's token transfer is not simulated here
 * (the settle step simulates right before it sends).
 *
 * @example
 * const { response } = await verifyBatchPayment(ctx, paymentPayload, requirements)
 */
export async function verifyBatchPayment(
  ctx: BatchFacilitatorContext,
  paymentPayload: PaymentPayload,
  requirements: PaymentRequirements,
): Promise<VerifiedBatchPayment> {
  const refuse = (reason: string, message: string, payer?: string) => ({
    response: refuseVerify(reason, message, payer),
  });
  if (
    requirements.scheme !== BATCH_SETTLEMENT_SCHEME ||
    paymentPayload.accepted?.scheme !== BATCH_SETTLEMENT_SCHEME
  )
    return refuse(BatchSettlementReasons.scheme, `scheme must be ${BATCH_SETTLEMENT_SCHEME}`);
  if (paymentPayload.accepted?.network !== requirements.network)
    return refuse(BatchSettlementReasons.networkMismatch, `accepted.network is not ${requirements.network}`);
  const network = ctx.networkFor(requirements.network);
  const chainId = evmChainId(requirements.network);
  if (!network || chainId === undefined)
    return refuse(BatchSettlementReasons.networkMismatch, `${requirements.network} is not served here`);
  const read = readBatchPayload(paymentPayload.payload, ['deposit', 'voucher', 'refund']);
  if (!read.ok) return refuse(read.reason, read.message);
  const payload = read.payload as DepositPayload | VoucherPayload | RefundPayload;
  const config = payload.channelConfig;
  const payer = config.payer;
  const channelFailure = await checkChannel(network.client, chainId, config, payload.voucher, requirements);
  if (channelFailure) return refuse(channelFailure.reason, channelFailure.message, payer);
  if (payload.type === 'deposit') {
    const failed = await checkDepositAuthorization(network.client, chainId, payload, requirements);
    if (failed) return refuse(failed.reason, failed.message, payer);
  }
  let state: ChannelState;
  try {
    state = await readChannelState(network.client, payload.voucher.channelId, {
      ...(payload.type === 'deposit'
        ? {
            payer,
            token: config.token,
            permit2Allowance: 'permit2Authorization' in payload.deposit.authorization,
            simulateDeposit: depositArgs(payload),
          }
        : {}),
    });
  } catch (error) {
    return refuse(
      BatchSettlementReasons.rpcReadFailed,
      `reading the channel failed: ${errorText(error)}`,
      payer,
    );
  }
  const failed = checkState(payload, state);
  if (failed) return refuse(failed[0], failed[1], payer);
  return {
    response: { isValid: true, payer, extra: channelSnapshot(payload.voucher.channelId, state) },
    verified: { payload, network, chainId, state },
  };
}

/** Rules 7-11 against the chain's state: `[reason, message]` of the first broken one. */
function checkState(
  payload: DepositPayload | VoucherPayload | RefundPayload,
  state: ChannelState,
): [string, string] | undefined {
  const cumulative = BigInt(payload.voucher.maxClaimableAmount);
  let balance = state.balance;
  if (payload.type === 'deposit') {
    const amount = BigInt(payload.deposit.amount);
    if (amount === 0n)
      return [BatchSettlementReasons.depositPayload, 'payload.deposit.amount must be above 0'];
    if ((state.payerBalance ?? 0n) < amount)
      return [
        BatchSettlementReasons.insufficientBalance,
        `the payer holds ${state.payerBalance ?? 0n}, the deposit is ${amount}`,
      ];
    if (state.permit2Allowance !== undefined && state.permit2Allowance < amount)
      return [
        BatchSettlementReasons.permit2AllowanceRequired,
        `the payer's Permit2 allowance is ${state.permit2Allowance}, the deposit is ${amount}: approve Permit2 first`,
      ];
    balance += amount;
  } else if (payload.type === 'refund' && payload.amount !== undefined && BigInt(payload.amount) === 0n) {
    return [
      BatchSettlementReasons.refundAmountInvalid,
      'payload.amount must be above 0 (omit it for a full refund)',
    ];
  }
  if (payload.type !== 'deposit' && state.balance === 0n) {
    return [BatchSettlementReasons.channelNotFound, `channel ${payload.voucher.channelId} holds no balance`];
  }
  if (cumulative > balance)
    return [
      BatchSettlementReasons.cumulativeExceedsBalance,
      `the voucher's maxClaimableAmount ${cumulative} exceeds the channel's balance ${balance}`,
    ];
  const below =
    payload.type === 'refund' ? cumulative < state.totalClaimed : cumulative <= state.totalClaimed;
  if (below)
    return [
      BatchSettlementReasons.cumulativeBelowClaimed,
      `the voucher's maxClaimableAmount ${cumulative} is not above the claimed ${state.totalClaimed}`,
    ];
  if (state.simulationError !== undefined)
    return [
      BatchSettlementReasons.depositSimulationFailed,
      `the deposit would revert: ${state.simulationError}`,
    ];
  if (
    payload.type === 'refund' &&
    payload.refundNonce !== undefined &&
    BigInt(payload.refundNonce) !== state.refundNonce
  )
    return [
      BatchSettlementReasons.refundPayload,
      `refundNonce ${payload.refundNonce} is not the channel's next refund nonce ${state.refundNonce}`,
    ];
  return undefined;
}
