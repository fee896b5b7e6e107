/**
 * Reading a "settlement pending" answer: the resource server sent the payment's transaction but
 * has not seen it confirmed, and says so with `PAYMENT-RESPONSE` (`success: false`,
 * `errorReason: 'settlement_pending'`, the hash) and `Retry-After`, normally with status 202.
 * The client must present the same payment again later, never sign a new one.
 */
import { decodePaymentResponseHeader, HeaderNames, Reasons } from '@x402kit/core';
import { DEFAULT_PENDING_RETRY_MS } from '@x402kit/core/internal';

/** The paying clients' `pendingSettlement` option; it, its defaults and the re-send loop are in `@x402kit/core/internal`. */
export type { PendingSettlementOption } from '@x402kit/core/internal';

/**
 * Does this response report a pending settlement? Status 202 (what x402kit servers send) or 503
 * (what a server that prefers "retry later" semantics may send), with the pending `PAYMENT-RESPONSE`.
 *
 * @example
 * if (isSettlementPending(res)) setTimeout(resend, retryAfterMs(res.headers.get('retry-after')))
 */
export function isSettlementPending(response: Response): boolean {
  if (response.status !== 202 && response.status !== 503) return false;
  const value =
    response.headers.get(HeaderNames.paymentResponse) ?? response.headers.get(HeaderNames.xPaymentResponse);
  if (value === null) return false;
  try {
    const settlement = decodePaymentResponseHeader(value);
    return !settlement.success && settlement.errorReason === Reasons.settlementPending;
  } catch {
    return false;
  }
}

/**
 * A `Retry-After` value (delay in seconds, or an HTTP date) in milliseconds; the default when absent.
 *
 * @example retryAfterMs('2') // 2000
 */
export function retryAfterMs(value: string | null, now: number = Date.now()): number {
  if (value === null || value.trim() === '') return DEFAULT_PENDING_RETRY_MS;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? DEFAULT_PENDING_RETRY_MS : Math.max(0, date - now);
}
