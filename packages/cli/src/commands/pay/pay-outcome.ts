/**
 * What `x402kit pay` ended with: the one JSON object `--json` prints, worked out from what was
 * sent and what the server answered, and the exit code that goes with it.
 *
 * The rule that shapes it: once a payment was sent, only the server's own settlement report says
 * it was charged (`paid`) or proven not charged (`payment_failed`, `payment_refused`,
 * `not_settled`); a settlement reported pending, or an answer lost after the payment left, is
 * `settlement_pending` / `settlement_unknown` (exit 4: do not pay again blindly).
 */
import {
  BudgetReasons,
  decodePaymentRequiredHeader,
  HeaderNames,
  Reasons,
  type SettleResponse,
  X402Error,
} from '@x402kit/core';
import { ExitCode } from '../../command.js';

/** The outcome names, one per way a `pay` run can end. */
export const PayStatuses = [
  /** A payment was made and the server reports it settled. */
  'paid',
  /** No payment was asked for; the answer is 2xx. */
  'free',
  /** No payment was made; the answer is not 2xx (404, 500, a 402 that is not x402). */
  'http_error',
  /** The price is above `--max-amount` or the default $1 cap, or the budget has not enough left: nothing was signed. */
  'refused',
  /** A 402 whose offers this CLI cannot pay (no exact-on-EVM offer, malformed requirements). */
  'cannot_pay',
  /** The payment was sent and refused before settlement: a 402 (409, 412) again, no settlement. */
  'payment_refused',
  /** The payment was sent and its settlement failed (`PAYMENT-RESPONSE` with `success: false`). */
  'payment_failed',
  /** The payment was sent; the server answered an error (e.g. its handler's 500) and settled nothing. */
  'not_settled',
  /** The payment was sent; the answer is 2xx but carries no settlement report. */
  'unconfirmed',
  /** The settlement transaction was sent and is not confirmed yet (the server keeps finishing it). */
  'settlement_pending',
  /** The payment was sent and the answer was lost (network error, timeout): it may have settled. */
  'settlement_unknown',
  /** The server could not be reached (nothing was paid). */
  'network_error',
  /** Bad arguments: nothing was sent. */
  'usage_error',
  /** An unexpected failure inside the CLI before any payment was sent. */
  'error',
] as const;

export type PayStatus = (typeof PayStatuses)[number];

/** The object `x402kit pay --json` prints: every key always present, `null` when unknown. */
export type PayOutcome = {
  status: PayStatus;
  /** The final HTTP status, or `null` when there was no answer. */
  httpStatus: number | null;
  /** A reason code (`no_acceptable_payment_option`, `facilitator_unavailable`, the settlement's `errorReason` ...). */
  reason: string | null;
  /** The settlement transaction, when the server reported one. */
  transaction: string | null;
  /** The response body (parsed when it is JSON), or `null` when there was no answer. */
  body: unknown;
  /** The decoded `PAYMENT-RESPONSE` (or `X-PAYMENT-RESPONSE`), or `null`. */
  paymentResponse: SettleResponse | null;
  /** What went wrong, for a person; `null` for `paid` and `free`. */
  error: string | null;
};

/** What the run did before the final answer came: the facts the outcome is worked out from. */
export type PayAttempt = {
  /** Set when the price was above `--max-amount` (or the default cap). */
  refusal?: string;
  /** The refusal's reason code; default `no_acceptable_payment_option`. */
  refusalReason?: string;
  /** Set when the 402 had no offer this CLI can pay. */
  cannotPay?: { reason: string | null; message: string };
  /** A request carrying a payment header left this process. */
  sent: boolean;
  /** The last settlement report seen on any answer (a pending one included). */
  lastSettlement?: SettleResponse;
};

/**
 * The outcome of an answered run.
 *
 * @example
 * outcomeOf({ response, body, settlement: getPaymentResponse(response), attempt })
 * // { status: 'paid', httpStatus: 200, reason: null, transaction: '0x…', ... }
 */
export function outcomeOf(input: {
  response: Response;
  body: unknown;
  settlement: SettleResponse | undefined;
  attempt: PayAttempt;
}): PayOutcome {
  const { response, body, settlement, attempt } = input;
  const base = {
    httpStatus: response.status,
    body,
    paymentResponse: settlement ?? null,
    transaction: settlement?.transaction ? settlement.transaction : null,
  };
  if (attempt.refusal !== undefined) {
    const reason = attempt.refusalReason ?? Reasons.noAcceptablePaymentOption;
    return { ...base, status: 'refused', reason, error: attempt.refusal };
  }
  if (attempt.cannotPay) {
    return {
      ...base,
      status: 'cannot_pay',
      reason: attempt.cannotPay.reason,
      error: attempt.cannotPay.message,
    };
  }
  if (!attempt.sent) {
    return response.ok
      ? { ...base, status: 'free', reason: null, error: null }
      : { ...base, status: 'http_error', reason: null, error: `the server answered HTTP ${response.status}` };
  }
  if (settlement?.success) return { ...base, status: 'paid', reason: null, error: null };
  if (settlement?.errorReason === Reasons.settlementPending) {
    return {
      ...base,
      status: 'settlement_pending',
      reason: Reasons.settlementPending,
      error: `the settlement${base.transaction ? ` ${base.transaction}` : ''} is not confirmed yet; it may still land: do not pay again, check the transaction`,
    };
  }
  if (settlement) {
    const reason = settlement.errorReason ?? null;
    return {
      ...base,
      status: 'payment_failed',
      reason,
      error: `the payment was not settled: ${reason ?? 'no reason given'}${settlement.errorMessage ? ` (${settlement.errorMessage})` : ''}`,
    };
  }
  if (response.status === 402 || response.status === 409 || response.status === 412) {
    const refused = refusalOf(response, body);
    return {
      ...base,
      status: 'payment_refused',
      reason: refused.reason,
      error: `the server refused the payment (HTTP ${response.status}): ${refused.message}; nothing was settled`,
    };
  }
  if (!response.ok) {
    return {
      ...base,
      status: 'not_settled',
      reason: null,
      error: `the server answered HTTP ${response.status} after the payment and reported no settlement: not charged (x402 servers settle only successful answers)`,
    };
  }
  return {
    ...base,
    status: 'unconfirmed',
    reason: null,
    error: `the server answered HTTP ${response.status} without a PAYMENT-RESPONSE header: whether it charged the payment is unknown`,
  };
}

/**
 * The outcome of a run that got no answer (or could not start). A payment already sent makes it
 * `settlement_unknown`, never a plain failure: the money may have moved.
 *
 * @example
 * failureOutcome({ error, attempt, message: 'cannot reach http://127.0.0.1:4021/x', unreachable: true })
 */
export function failureOutcome(input: {
  error: unknown;
  attempt: PayAttempt;
  message: string;
  /** The server could not be reached or did not answer in time (as opposed to a bug). */
  unreachable: boolean;
}): PayOutcome {
  const { error, attempt, message, unreachable } = input;
  const last = attempt.lastSettlement;
  const none = { httpStatus: null, body: null, paymentResponse: last ?? null };
  const transaction = last?.transaction ? last.transaction : null;
  if (attempt.sent) {
    return {
      ...none,
      status: 'settlement_unknown',
      reason: last?.errorReason ?? null,
      transaction,
      error: `${message}; the payment was sent, so it may have settled${transaction ? ` (transaction ${transaction})` : ''}: do not pay again before checking`,
    };
  }
  if (error instanceof X402Error) {
    // a budget that has not enough left refuses before anything is signed
    const refused =
      error.reason === BudgetReasons.budgetExceeded || error.reason === BudgetReasons.budgetAssetNotCounted;
    return {
      ...none,
      status: refused ? 'refused' : 'cannot_pay',
      reason: error.reason,
      transaction: null,
      error: message,
    };
  }
  return {
    ...none,
    status: unreachable ? 'network_error' : 'error',
    reason: null,
    transaction: null,
    error: message,
  };
}

/**
 * The outcome of a run that sent nothing: bad arguments (`usage_error`) or a failure before the
 * first request (`error`).
 *
 * @example unsentOutcome('usage_error', 'give the URL to pay for')
 */
export function unsentOutcome(status: 'usage_error' | 'error', message: string): PayOutcome {
  return {
    status,
    httpStatus: null,
    reason: null,
    transaction: null,
    body: null,
    paymentResponse: null,
    error: message,
  };
}

/**
 * The exit code of an outcome: 0 the request succeeded, 1 it failed, 2 bad usage, 3 refused by
 * `--max-amount`, the default cap or the budget, 4 a payment left and its settlement is not final (pending or unknown).
 *
 * @example exitCodeOf({ status: 'settlement_pending', ... }) // 4
 */
export function exitCodeOf(outcome: PayOutcome): number {
  switch (outcome.status) {
    case 'paid':
      return outcome.httpStatus !== null && outcome.httpStatus < 300 ? ExitCode.ok : ExitCode.failure;
    case 'free':
    case 'unconfirmed':
      return ExitCode.ok;
    case 'refused':
      return ExitCode.refused;
    case 'usage_error':
      return ExitCode.usage;
    case 'settlement_pending':
    case 'settlement_unknown':
      return ExitCode.pending;
    default:
      return ExitCode.failure;
  }
}

/** The reason and message a refusal 402 gives: `PAYMENT-REQUIRED`'s `error`, else a v1 body's. */
function refusalOf(response: Response, body: unknown): { reason: string | null; message: string } {
  let error: unknown;
  const header = response.headers.get(HeaderNames.paymentRequired);
  if (header !== null) {
    try {
      error = decodePaymentRequiredHeader(header).error;
    } catch {
      // an unreadable header says nothing about why
    }
  }
  if (error === undefined && typeof body === 'object' && body !== null && 'error' in body) error = body.error;
  if (typeof error !== 'string' || error.length === 0) return { reason: null, message: 'no reason given' };
  // x402kit servers write "<reason_code>" or "<reason_code>: <message>"
  const coded = /^([a-z][a-z0-9_]*)(?::\s*([\s\S]*))?$/.exec(error);
  return coded?.[1] ? { reason: coded[1], message: error } : { reason: null, message: error };
}
