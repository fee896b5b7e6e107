import { defineReasons } from './reason-registry.js';

/**
 * Reason codes: the strings that travel in `invalidReason` / `errorReason` and in our errors.
 *
 * The protocol and EVM strings are byte-for-byte those of the reference implementation
 * (`@x402/core` / `@x402/evm` 2.27), so clients and dashboards written for it understand ours.
 * The `x402kit` group holds codes for failures the reference has no string for. Every scheme's
 * and package's own codes join these in the one registry (`defineReasons`, `listReasons`).
 */
export const Reasons = defineReasons('@x402kit/core', {
  // protocol (spec section 9 and reference core)
  insufficientFunds: 'insufficient_funds',
  invalidNetwork: 'invalid_network',
  invalidPayload: 'invalid_payload',
  invalidPaymentRequirements: 'invalid_payment_requirements',
  invalidScheme: 'invalid_scheme',
  unsupportedScheme: 'unsupported_scheme',
  invalidX402Version: 'invalid_x402_version',
  invalidTransactionState: 'invalid_transaction_state',
  unexpectedVerifyError: 'unexpected_verify_error',
  unexpectedSettleError: 'unexpected_settle_error',
  settlementPending: 'settlement_pending',
  duplicateSettlement: 'duplicate_settlement',
  paymentRequired: 'payment_required',
  permit2AllowanceRequired: 'permit2_allowance_required',
  beforeVerifyHookError: 'before_verify_hook_error',
  beforeSettleHookError: 'before_settle_hook_error',
  missingScheme: 'missing_scheme',
  missingFacilitator: 'missing_facilitator',

  // exact on EVM (EIP-3009), reference strings
  exactEvmScheme: 'invalid_exact_evm_scheme',
  exactEvmNetworkMismatch: 'invalid_exact_evm_network_mismatch',
  exactEvmMissingEip712Domain: 'invalid_exact_evm_missing_eip712_domain',
  exactEvmRecipientMismatch: 'invalid_exact_evm_recipient_mismatch',
  exactEvmSignature: 'invalid_exact_evm_signature',
  exactEvmFailedToParseSignature: 'invalid_exact_evm_failed_to_parse_signature',
  exactEvmValidBefore: 'invalid_exact_evm_payload_authorization_valid_before',
  exactEvmValidAfter: 'invalid_exact_evm_payload_authorization_valid_after',
  /** v1 payloads: value differs from maxAmountRequired. */
  exactEvmAuthorizationValue: 'invalid_exact_evm_authorization_value',
  /** v2 payloads: value differs from amount. */
  exactEvmAuthorizationValueMismatch: 'invalid_exact_evm_payload_authorization_value_mismatch',
  exactEvmUndeployedSmartWallet: 'invalid_exact_evm_payload_undeployed_smart_wallet',
  exactEvmTransactionFailed: 'invalid_exact_evm_transaction_failed',
  exactEvmTransferEventMismatch: 'invalid_exact_evm_transfer_event_mismatch',
  exactEvmTokenNameMismatch: 'invalid_exact_evm_token_name_mismatch',
  exactEvmTokenVersionMismatch: 'invalid_exact_evm_token_version_mismatch',
  exactEvmEip3009NotSupported: 'invalid_exact_evm_eip3009_not_supported',
  exactEvmNonceAlreadyUsed: 'invalid_exact_evm_nonce_already_used',
  exactEvmInsufficientBalance: 'invalid_exact_evm_insufficient_balance',
  exactEvmSimulationFailed: 'invalid_exact_evm_transaction_simulation_failed',
  assetNotDeployedContract: 'asset_not_deployed_contract',
  eip6492FactoryNotAllowed: 'eip6492_factory_not_allowed',
  smartWalletDeploymentFailed: 'smart_wallet_deployment_failed',
  unsupportedPayloadType: 'unsupported_payload_type',
  /**
   * x402kit: `validBefore` lies past now + `maxTimeoutSeconds` + 30 s; the reference accepts any
   * later expiry, so this is checked only where the reference would answer valid.
   */
  exactEvmValidBeforeTooFar: 'invalid_exact_evm_payload_authorization_valid_before_too_far',

  // x402kit: failures the reference has no string for
  /** The payment header is not standard base64 of a JSON object, or is too large. */
  invalidPaymentHeader: 'invalid_payment_header',
  /** The client's `accepted` matched none of the offers for this request. */
  noMatchingRequirements: 'no_matching_requirements',
  /** The client has no registered scheme or policy that allows any offer. */
  noAcceptablePaymentOption: 'no_acceptable_payment_option',
  /** The paying client saw a 402 again after paying once. */
  paymentAlreadyAttempted: 'payment_already_attempted',
  /** The facilitator could not be reached or answered out of protocol. */
  facilitatorUnavailable: 'facilitator_unavailable',
  /** A request body could not be parsed. */
  invalidRequestBody: 'invalid_request_body',
  /** A request body exceeded the size limit. */
  requestTooLarge: 'request_too_large',
  /** The request path could not be normalized safely. */
  invalidPath: 'invalid_path',
  /** A money amount could not be parsed unambiguously. */
  invalidPrice: 'invalid_price',
  /** A route table or server option is invalid (raised at startup). */
  invalidRouteConfig: 'invalid_route_config',
  /** A gas top-up or wallet deployment for a payer would cost more than one payment may (`maxTopUpWei`). */
  gasSponsoringCapExceeded: 'gas_sponsoring_cap_exceeded',
  /** The payer's daily budget of sponsored gas is spent. */
  gasSponsoringPayerBudgetExceeded: 'gas_sponsoring_payer_budget_exceeded',
  /** The settlement key's daily budget of sponsored gas is spent. */
  gasSponsoringKeyBudgetExceeded: 'gas_sponsoring_key_budget_exceeded',
  /** An ERC-6492 wallet deployment needs more gas than the facilitator allows. */
  eip6492DeploymentGasTooHigh: 'eip6492_deployment_gas_too_high',
  /** An unexpected failure inside x402kit; the message says what broke. */
  internalError: 'internal_error',
  /**
   * A value passed to a function is not one it takes (a uint256 below zero, an address body that is
   * not 20 bytes, a limit that is not a bigint); raised to the caller, never an answer's reason.
   */
  invalidArgument: 'invalid_argument',
  /** Two reason tables define one code with different meanings (raised at import time). */
  reasonConflict: 'reason_conflict',
});

/** A reason code of the protocol's shared `Reasons`. */
export type Reason = (typeof Reasons)[keyof typeof Reasons];
