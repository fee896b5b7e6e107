import { defineReasons, Reasons, sharedReason } from '@x402kit/core';

/**
 * Reason strings of the Permit2 paths (`exact` with `assetTransferMethod: "permit2"` and `upto`),
 * byte-for-byte those of the reference `@x402/evm` 2.27, plus x402kit's own where marked. Codes core's
 * {@link Reasons} already defines are shared, not defined again.
 */
export const Permit2Reasons = defineReasons('@x402kit/evm/permit2', {
  unsupportedPayloadType: sharedReason(Reasons.unsupportedPayloadType),
  exactNetworkMismatch: sharedReason(Reasons.exactEvmNetworkMismatch),
  assetNotDeployedContract: sharedReason(Reasons.assetNotDeployedContract),
  invalidSpender: 'invalid_permit2_spender',
  recipientMismatch: 'invalid_permit2_recipient_mismatch',
  deadlineExpired: 'permit2_deadline_expired',
  notYetValid: 'permit2_not_yet_valid',
  /** x402kit: `deadline` lies past now + `maxTimeoutSeconds` + 30 s (exact). */
  deadlineTooFar: 'permit2_deadline_too_far',
  amountMismatch: 'permit2_amount_mismatch',
  tokenMismatch: 'permit2_token_mismatch',
  invalidSignature: 'invalid_permit2_signature',
  allowanceRequired: sharedReason(Reasons.permit2AllowanceRequired),
  simulationFailed: 'permit2_simulation_failed',
  insufficientBalance: 'permit2_insufficient_balance',
  proxyNotDeployed: 'permit2_proxy_not_deployed',
  invalidAmount: 'permit2_invalid_amount',
  invalidDestination: 'permit2_invalid_destination',
  invalidOwner: 'permit2_invalid_owner',
  paymentTooEarly: 'permit2_payment_too_early',
  invalidNonce: 'permit2_invalid_nonce',
  permit2612AmountMismatch: 'permit2_2612_amount_mismatch',
  /** Exact: receipt not success, or an unmapped revert (then `: <message>` is appended). */
  exactTransactionFailed: sharedReason(Reasons.exactEvmTransactionFailed),
  settlementPending: sharedReason(Reasons.settlementPending),
  invalidTransactionState: sharedReason(Reasons.invalidTransactionState),

  // upto
  uptoScheme: 'invalid_upto_evm_scheme',
  uptoNetworkMismatch: 'invalid_upto_evm_network_mismatch',
  uptoSettlementExceedsAmount: 'invalid_upto_evm_payload_settlement_exceeds_amount',
  uptoAmountExceedsPermitted: 'upto_amount_exceeds_permitted',
  uptoUnauthorizedFacilitator: 'upto_unauthorized_facilitator',
  uptoFacilitatorMismatch: 'upto_facilitator_mismatch',
  /** x402kit: `deadline` lies past now + `maxTimeoutSeconds` + 30 s (upto). */
  uptoDeadlineTooFar: 'upto_deadline_too_far',
  uptoTransactionFailed: 'invalid_upto_evm_transaction_failed',

  // eip2612GasSponsoring
  eip2612InvalidFormat: 'invalid_eip2612_extension_format',
  eip2612FromMismatch: 'eip2612_from_mismatch',
  eip2612AssetMismatch: 'eip2612_asset_mismatch',
  eip2612SpenderNotPermit2: 'eip2612_spender_not_permit2',
  eip2612DeadlineExpired: 'eip2612_deadline_expired',

  // erc20ApprovalGasSponsoring
  erc20ApprovalInvalidFormat: 'invalid_erc20_approval_extension_format',
  erc20ApprovalFromMismatch: 'erc20_approval_from_mismatch',
  erc20ApprovalAssetMismatch: 'erc20_approval_asset_mismatch',
  erc20ApprovalSpenderNotPermit2: 'erc20_approval_spender_not_permit2',
  erc20ApprovalTxWrongTarget: 'erc20_approval_tx_wrong_target',
  erc20ApprovalTxWrongSelector: 'erc20_approval_tx_wrong_selector',
  erc20ApprovalTxWrongSpender: 'erc20_approval_tx_wrong_spender',
  erc20ApprovalTxInvalidCalldata: 'erc20_approval_tx_invalid_calldata',
  erc20ApprovalTxSignerMismatch: 'erc20_approval_tx_signer_mismatch',
  erc20ApprovalTxInvalidSignature: 'erc20_approval_tx_invalid_signature',
  erc20ApprovalTxParseFailed: 'erc20_approval_tx_parse_failed',
  erc20ApprovalTxFailed: 'erc20_approval_tx_failed',
  erc20ApprovalBroadcastFailed: 'erc20_approval_broadcast_failed',

  // erc20ApprovalGasSponsoring: what the facilitator pays for (x402kit; the reference checks none of it)
  /** The approval is not an EIP-1559 or legacy transaction (blob and EIP-7702 types are refused). */
  erc20ApprovalSponsoringTxType: 'invalid_erc20_approval_gas_sponsoring_tx_type',
  /** The approval is signed for another chain (or without EIP-155 replay protection). */
  erc20ApprovalSponsoringChainId: 'invalid_erc20_approval_gas_sponsoring_chain_id',
  /** The approval sends native value: the facilitator would fund it. */
  erc20ApprovalSponsoringValue: 'invalid_erc20_approval_gas_sponsoring_value',
  /** The approved amount is below the payment. */
  erc20ApprovalSponsoringAmount: 'invalid_erc20_approval_gas_sponsoring_amount',
  /** The gas limit is above the facilitator's ceiling for an approval, or below what it needs. */
  erc20ApprovalSponsoringGasLimit: 'invalid_erc20_approval_gas_sponsoring_gas_limit',
  /** The fees are above the facilitator's estimate times its factor, or too low to land now. */
  erc20ApprovalSponsoringFee: 'invalid_erc20_approval_gas_sponsoring_fee',
  /** The nonce is not the payer's pending nonce. */
  erc20ApprovalSponsoringNonce: 'invalid_erc20_approval_gas_sponsoring_nonce',
});

/** A reason code of `Permit2Reasons`. */
export type Permit2Reason = (typeof Permit2Reasons)[keyof typeof Permit2Reasons];
