/**
 * Builders for refusal answers, so every engine writes `isValid:false` / `success:false`
 * documents the same way (optional fields omitted rather than `undefined`).
 */
import type { SettleResponse, VerifyResponse } from './schemas.js';

/**
 * A failed verification; `payer` is included once known, as the reference does.
 *
 * @example verifyRefusal('invalid_network', 'network eip155:1 is not supported')
 */
export function verifyRefusal(reason: string, message?: string, payer?: string): VerifyResponse {
  return {
    isValid: false,
    invalidReason: reason,
    ...(message ? { invalidMessage: message } : {}),
    ...(payer ? { payer } : {}),
  };
}

/**
 * A failed settlement; `transaction` stays empty unless a transaction was broadcast.
 *
 * @example settleRefusal('unexpected_settle_error', 'node down', 'eip155:84532')
 */
export function settleRefusal(
  reason: string,
  message: string | undefined,
  network: string,
  transaction = '',
  payer?: string,
): SettleResponse {
  return {
    success: false,
    errorReason: reason,
    ...(message ? { errorMessage: message } : {}),
    transaction,
    network,
    ...(payer ? { payer } : {}),
  };
}
