import { defineReasons } from '@x402kit/core';

/**
 * Reason codes of `exact_permit`. Where BofAI's facilitator has a string for the same failure
 * (`amount_mismatch`, `payto_mismatch`, `token_mismatch`, `fee_to_mismatch`, `unsupported_token`,
 * `fee_amount_mismatch`, `expired`, `not_yet_valid`, `invalid_signature`, `missing_permit`,
 * `token_not_allowed`), ours is that string under the `invalid_exact_permit_` prefix, so a
 * dashboard can strip the prefix and compare. The rest cover what BofAI leaves to the contract.
 */
export const ExactPermitReasons = defineReasons('@x402kit/payment-permit', {
  scheme: 'invalid_exact_permit_scheme',
  networkMismatch: 'invalid_exact_permit_network_mismatch',
  missingPermit: 'invalid_exact_permit_missing_permit',
  /** Client side: the 402 has no `extensions.paymentPermitContext` (BofAI: `missing_context`). */
  missingContext: 'invalid_exact_permit_missing_context',
  /** Client side: the requirements carry no `extra.fee.caller`, so no one could settle the permit. */
  missingFee: 'invalid_exact_permit_missing_fee',
  /** A field of `payload.paymentPermit` or the signature is not well formed. */
  payload: 'invalid_exact_permit_payload',
  kind: 'invalid_exact_permit_kind',
  tokenNotAllowed: 'invalid_exact_permit_token_not_allowed',
  amountMismatch: 'invalid_exact_permit_amount_mismatch',
  payToMismatch: 'invalid_exact_permit_payto_mismatch',
  tokenMismatch: 'invalid_exact_permit_token_mismatch',
  /** `caller` is not one of this facilitator's settlement addresses (contract: `InvalidCaller`). */
  callerMismatch: 'invalid_exact_permit_caller_mismatch',
  feeToMismatch: 'invalid_exact_permit_fee_to_mismatch',
  unsupportedToken: 'invalid_exact_permit_unsupported_token',
  feeAmountMismatch: 'invalid_exact_permit_fee_amount_mismatch',
  expired: 'invalid_exact_permit_expired',
  /** `validBefore` lies past now + the offer's `maxTimeoutSeconds` + 30 s (BofAI checks no upper bound). */
  validBeforeTooFar: 'invalid_exact_permit_valid_before_too_far',
  notYetValid: 'invalid_exact_permit_not_yet_valid',
  /**
   * Resource server: the permit's `paymentId` and `nonce` are not a `paymentPermitContext` this server
   * issued (made up, from another server, or forgotten after its window closed).
   */
  contextNotIssued: 'invalid_exact_permit_context_not_issued',
  /** Resource server: the context was issued in a 402 for other offers than the one paid. */
  contextOfferMismatch: 'invalid_exact_permit_context_offer_mismatch',
  /** Resource server: the permit's `kind`, `validAfter` or `validBefore` differ from the issued context's. */
  contextMismatch: 'invalid_exact_permit_context_mismatch',
  /** Resource server: another permit already used this context. */
  contextUsed: 'invalid_exact_permit_context_used',
  /** Not 65 bytes r‖s‖v with v 27/28, or it recovers to another address than `buyer`. */
  signature: 'invalid_exact_permit_invalid_signature',
  /** Contract `BuyerMismatch`: `owner` differs from `permit.buyer`. */
  buyerMismatch: 'invalid_exact_permit_buyer_mismatch',
  nonceAlreadyUsed: 'invalid_exact_permit_nonce_already_used',
  /** Contract `InvalidNonce`. */
  invalidNonce: 'invalid_exact_permit_invalid_nonce',
  insufficientAllowance: 'invalid_exact_permit_insufficient_allowance',
  insufficientBalance: 'invalid_exact_permit_insufficient_balance',
  /** The network has no known `PaymentPermit` deployment. */
  contractNotDeployed: 'invalid_exact_permit_contract_not_deployed',
  /** The settlement transaction reverted, or its preflight did for a reason not listed above. */
  transactionFailed: 'invalid_exact_permit_transaction_failed',
});

/** A reason code of `ExactPermitReasons`. */
export type ExactPermitReason = (typeof ExactPermitReasons)[keyof typeof ExactPermitReasons];
