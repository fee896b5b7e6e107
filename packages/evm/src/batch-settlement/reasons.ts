import { defineReasons, Reasons, sharedReason } from '@x402kit/core';

/**
 * Reason codes of `batch-settlement` on EVM, as the scheme's spec and `@x402/evm` 2.27 spell them
 * (`invalid_batch_settlement_evm_*`), plus x402kit's own where the spec has none.
 *
 * @example
 * if (verdict.invalidReason === BatchSettlementReasons.cumulativeAmountMismatch) adoptCorrection(verdict)
 */
export const BatchSettlementReasons = defineReasons('@x402kit/evm/batch-settlement', {
  settlementPending: sharedReason(Reasons.settlementPending),
  authorizerAddressMismatch: 'invalid_batch_settlement_evm_authorizer_address_mismatch',
  authorizerNotConfigured: 'invalid_batch_settlement_evm_authorizer_not_configured',
  channelBusy: 'invalid_batch_settlement_evm_channel_busy',
  channelIdMismatch: 'invalid_batch_settlement_evm_channel_id_mismatch',
  channelIdInvalid: 'invalid_batch_settlement_evm_channel_id_invalid',
  channelNotFound: 'invalid_batch_settlement_evm_channel_not_found',
  channelStateReadFailed: 'invalid_batch_settlement_evm_channel_state_read_failed',
  chargeExceedsSignedCumulative: 'invalid_batch_settlement_evm_charge_exceeds_signed_cumulative',
  claimPayload: 'invalid_batch_settlement_evm_claim_payload',
  claimSimulationFailed: 'invalid_batch_settlement_evm_claim_simulation_failed',
  claimTransactionFailed: 'invalid_batch_settlement_evm_claim_transaction_failed',
  cumulativeAmountMismatch: 'invalid_batch_settlement_evm_cumulative_amount_mismatch',
  cumulativeBelowClaimed: 'invalid_batch_settlement_evm_cumulative_below_claimed',
  cumulativeExceedsBalance: 'invalid_batch_settlement_evm_cumulative_exceeds_balance',
  depositPayload: 'invalid_batch_settlement_evm_deposit_payload',
  depositSimulationFailed: 'invalid_batch_settlement_evm_deposit_simulation_failed',
  depositTransactionFailed: 'invalid_batch_settlement_evm_deposit_transaction_failed',
  depositBelowMinDeposit: 'invalid_batch_settlement_evm_deposit_below_min_deposit',
  erc3009AuthorizationRequired: 'invalid_batch_settlement_evm_erc3009_authorization_required',
  insufficientBalance: 'invalid_batch_settlement_evm_insufficient_balance',
  missingChannel: 'invalid_batch_settlement_evm_missing_channel',
  missingEip712Domain: 'invalid_batch_settlement_evm_missing_eip712_domain',
  networkMismatch: 'invalid_batch_settlement_evm_network_mismatch',
  validAfter: 'invalid_batch_settlement_evm_payload_authorization_valid_after',
  validBefore: 'invalid_batch_settlement_evm_payload_authorization_valid_before',
  payloadType: 'invalid_batch_settlement_evm_payload_type',
  permit2AllowanceRequired: 'invalid_batch_settlement_evm_permit2_allowance_required',
  permit2AmountMismatch: 'invalid_batch_settlement_evm_permit2_amount_mismatch',
  permit2AuthorizationRequired: 'invalid_batch_settlement_evm_permit2_authorization_required',
  permit2DeadlineExpired: 'invalid_batch_settlement_evm_permit2_deadline_expired',
  permit2InvalidSignature: 'invalid_batch_settlement_evm_permit2_invalid_signature',
  permit2InvalidSpender: 'invalid_batch_settlement_evm_permit2_invalid_spender',
  receiveAuthorizationSignature: 'invalid_batch_settlement_evm_receive_authorization_signature',
  receiverAuthorizerMismatch: 'invalid_batch_settlement_evm_receiver_authorizer_mismatch',
  receiverMismatch: 'invalid_batch_settlement_evm_receiver_mismatch',
  refundAmountInvalid: 'invalid_batch_settlement_evm_refund_amount_invalid',
  refundNoBalance: 'invalid_batch_settlement_evm_refund_no_balance',
  refundPayload: 'invalid_batch_settlement_evm_refund_payload',
  refundSimulationFailed: 'invalid_batch_settlement_evm_refund_simulation_failed',
  refundTransactionFailed: 'invalid_batch_settlement_evm_refund_transaction_failed',
  rpcReadFailed: 'invalid_batch_settlement_evm_rpc_read_failed',
  scheme: 'invalid_batch_settlement_evm_scheme',
  settlePayload: 'invalid_batch_settlement_evm_settle_payload',
  nothingToSettle: 'invalid_batch_settlement_evm_nothing_to_settle',
  settleSimulationFailed: 'invalid_batch_settlement_evm_settle_simulation_failed',
  settleTransactionFailed: 'invalid_batch_settlement_evm_settle_transaction_failed',
  tokenMismatch: 'invalid_batch_settlement_evm_token_mismatch',
  transactionReverted: 'invalid_batch_settlement_evm_transaction_reverted',
  unknownSettleAction: 'invalid_batch_settlement_evm_unknown_settle_action',
  voucherPayload: 'invalid_batch_settlement_evm_voucher_payload',
  voucherSignature: 'invalid_batch_settlement_evm_voucher_signature',
  waitForReceiptFailed: 'invalid_batch_settlement_evm_wait_for_receipt_failed',
  withdrawDelayMismatch: 'invalid_batch_settlement_evm_withdraw_delay_mismatch',
  withdrawDelayOutOfRange: 'invalid_batch_settlement_evm_withdraw_delay_out_of_range',
  verificationStateUnavailable: 'invalid_batch_settlement_evm_verification_state_unavailable',
  /** x402kit: the server's channel store could not be read or written; nothing was charged. */
  channelStoreFailed: 'batch_settlement_channel_store_failed',
  /** x402kit client: the offer lacks what a channel needs (receiver authorizer, withdrawal delay, token domain). */
  clientOfferInvalid: 'batch_settlement_client_offer_invalid',
  /** x402kit client: the deposit this payment needs is above the client's `depositPolicy.maxDeposit`. */
  clientDepositAboveMax: 'batch_settlement_client_deposit_above_max',
  /** x402kit client: a settlement broke the client verification rules; the channel gets no more vouchers. */
  clientChannelDistrusted: 'batch_settlement_client_channel_distrusted',
  /** x402kit client: the server did not complete a cooperative refund. */
  clientRefundFailed: 'batch_settlement_client_refund_failed',
  /**
   * x402kit server: a claim or sweep of the claim scheduler failed as a whole (the facilitator
   * unreachable, a transaction pending); the scheduler tries again on a later run.
   */
  claimRunFailed: 'batch_settlement_claim_run_failed',
});

/**
 * One of {@link BatchSettlementReasons}.
 *
 * @example
 * const reason: BatchSettlementReason = 'invalid_batch_settlement_evm_channel_busy';
 */
export type BatchSettlementReason = (typeof BatchSettlementReasons)[keyof typeof BatchSettlementReasons];
