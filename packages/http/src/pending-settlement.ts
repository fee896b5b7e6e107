/**
 * Reading a "settlement pending" answer: the resource server sent the payment's transaction but
 * has not seen it confirmed, and says so with `PAYMENT-RESPONSE` (`success: false`,
 * `errorReason: 'settlement_pending'`, the hash) and `Retry-After`, normally with status 202.
 * The client must present the same payment again later, never sign a new one.
 */
import { decodePaymentResponseHeader, HeaderNames, Reasons } from '@x402kit/core';

/** Wait when `Retry-After` is absent or unreadable. */
export const DEFAULT_PENDING_RETRY_MS = 1_000;

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

/** A paying client's `pendingSettlement` option: how long it waits out a pending settlement, or `false`. */
export type PendingSettlementOption = false | { maxRetries?: number; maxDelayMs?: number };

/**
 * The option with its defaults (5 re-sends, at most 10 s apart); undefined for `false`.
 *
 * @example pendingRetryLimits(undefined) // { maxRetries: 5, maxDelayMs: 10000 }
 */
export function pendingRetryLimits(
  option: PendingSettlementOption | undefined,
): { maxRetries: number; maxDelayMs: number } | undefined {
  if (option === false) return undefined;
  return { maxRetries: option?.maxRetries ?? 5, maxDelayMs: option?.maxDelayMs ?? 10_000 };
}
