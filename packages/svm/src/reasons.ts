import { defineReasons, Reasons, sharedReason } from '@x402kit/core';

/**
 * Reason codes of `exact` on SVM: byte for byte the strings of the reference facilitator
 * (`@x402/svm` 2.27), so clients and dashboards written for it understand ours; the one failure the
 * reference has no string for is marked x402kit.
 */
export const SvmReasons = defineReasons('@x402kit/svm', {
  unsupportedScheme: 'invalid_exact_svm_unsupported_scheme',
  networkMismatch: 'invalid_exact_svm_network_mismatch',
  missingFeePayer: 'invalid_exact_svm_payload_missing_fee_payer',
  feePayerNotManaged: 'invalid_exact_svm_fee_payer_not_managed_by_facilitator',
  feePayerMismatch: 'invalid_exact_svm_fee_payer_mismatch',
  transactionCouldNotBeDecoded: 'invalid_exact_svm_payload_transaction_could_not_be_decoded',
  signatureInvalid: 'invalid_exact_svm_payload_signature_invalid',
  instructionsLength: 'invalid_exact_svm_payload_transaction_instructions_length',
  computeLimitInstruction: 'invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction',
  computePriceInstruction: 'invalid_exact_svm_payload_transaction_instructions_compute_price_instruction',
  computePriceInstructionTooHigh:
    'invalid_exact_svm_payload_transaction_instructions_compute_price_instruction_too_high',
  noTransferInstruction: 'invalid_exact_svm_payload_no_transfer_instruction',
  feePayerTransferringFunds: 'invalid_exact_svm_payload_transaction_fee_payer_transferring_funds',
  mintMismatch: 'invalid_exact_svm_payload_mint_mismatch',
  recipientMismatch: 'invalid_exact_svm_payload_recipient_mismatch',
  amountMismatch: 'invalid_exact_svm_payload_amount_mismatch',
  unknownFourthInstruction: 'invalid_exact_svm_payload_unknown_fourth_instruction',
  unknownFifthInstruction: 'invalid_exact_svm_payload_unknown_fifth_instruction',
  unknownSixthInstruction: 'invalid_exact_svm_payload_unknown_sixth_instruction',
  unknownSeventhInstruction: 'invalid_exact_svm_payload_unknown_seventh_instruction',
  memoCount: 'invalid_exact_svm_payload_memo_count',
  memoMismatch: 'invalid_exact_svm_payload_memo_mismatch',
  simulationFailed: 'invalid_exact_svm_transaction_simulation_failed',
  transactionFailed: 'invalid_exact_svm_transaction_failed',
  verificationFailed: 'invalid_exact_svm_verification_failed',
  settlementPending: sharedReason(Reasons.settlementPending),
  /**
   * x402kit (the reference has no string for it): the transaction never landed and its blockhash
   * expired, so it can never land; found by the ledger's reconciler.
   */
  transactionExpired: 'invalid_exact_svm_transaction_expired',
  /** x402kit: an option of an SVM scheme or chain module is invalid (`SvmConfigError`; `path` names it). */
  config: 'invalid_svm_config',
});

/** One of the {@link SvmReasons} strings. */
export type SvmReason = (typeof SvmReasons)[keyof typeof SvmReasons];
