/**
 * Maps a failed `transferWithAuthorization` (a revert message from a simulation or a node) to the
 * reason code the reference facilitator gives for it. FiatToken's revert strings and the custom
 * error names of newer EIP-3009 tokens are both recognised.
 */
import { Reasons } from '@x402kit/core';

const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/authorization.*(expired|valid before)|AuthorizationExpired/i, Reasons.exactEvmValidBefore],
  [/authorization.*not.*valid|AuthorizationNotYetValid/i, Reasons.exactEvmValidAfter],
  [
    /authorization.*used|AuthorizationAlreadyUsed|AuthorizationUsedOrCanceled/i,
    Reasons.exactEvmNonceAlreadyUsed,
  ],
  [/exceeds.*balance|insufficient.*balance|ERC20InsufficientBalance/i, Reasons.exactEvmInsufficientBalance],
  [/invalid.*signature|SignerMismatch|InvalidSignatureV|InvalidSignatureS/i, Reasons.exactEvmSignature],
];

/**
 * The reason code for a transfer failure message; `invalid_exact_evm_transaction_failed` when the
 * message says nothing specific.
 *
 * @example
 * transferErrorReason('execution reverted: FiatTokenV2: authorization is used or canceled')
 * // 'invalid_exact_evm_nonce_already_used'
 */
export function transferErrorReason(message: string): string {
  for (const [pattern, reason] of RULES) if (pattern.test(message)) return reason;
  return Reasons.exactEvmTransactionFailed;
}
