/**
 * The client-side pieces every paying HTTP client shares (`fetch.ts`, `axios.ts`): reading a
 * 402's offers, signing one payment within a budget, and reading the settlement a paid answer
 * reports. They take header values and parsed bodies, not a client library's response type.
 */
import {
  type AnyPaymentPayload,
  type AnyPaymentRequired,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  describeIssues,
  encodePaymentSignatureHeader,
  HeaderNames,
  outcomeOfRefusal,
  type PaymentOutcome,
  PaymentRequiredV1,
  Reasons,
  type SettleResponse,
  type X402Client,
  X402Error,
} from '@x402kit/core';
import { retryAfterMs } from './pending-settlement.js';

/**
 * The offers of a 402: the `PAYMENT-REQUIRED` header value (v2), else a parsed JSON body with
 * `x402Version: 1`. Undefined when neither is there; `X402Error` when one is malformed.
 */
export function paymentRequiredOf(
  header: string | null | undefined,
  body: unknown,
): AnyPaymentRequired | undefined {
  if (header !== null && header !== undefined) return decodePaymentRequiredHeader(header);
  if (typeof body !== 'object' || body === null || (body as { x402Version?: unknown }).x402Version !== 1)
    return undefined;
  const parsed = PaymentRequiredV1.safeParse(body);
  if (!parsed.success) {
    throw new X402Error(
      Reasons.invalidPaymentRequirements,
      `the 402 body is not a valid x402 v1 document: ${describeIssues(parsed.error.issues)}`,
    );
  }
  return parsed.data;
}

/** A `PAYMENT-RESPONSE` (or v1 `X-PAYMENT-RESPONSE`) header value, validated; undefined when absent or malformed. */
export function settlementOf(value: string | null | undefined): SettleResponse | undefined {
  if (value === null || value === undefined) return undefined;
  try {
    return decodePaymentResponseHeader(value);
  } catch {
    return undefined;
  }
}

/**
 * How a paid request ended, from its status and reported settlement (see `paymentOutcomeOf`). A
 * pending settlement, and a `duplicate_settlement` refusal (this very authorization is spent, or
 * being spent, by another request: another instance, a copy), are not proof that nothing moved:
 * `unknown`, so a budget keeps them counted.
 */
export function outcomeOf(status: number, settlement: SettleResponse | undefined): PaymentOutcome {
  if (settlement?.success) return 'paid';
  if (settlement) return outcomeOfRefusal(settlement.errorReason);
  return status === 402 ? 'refused' : 'unknown';
}

/** One signed payment: its payload and the header (name and value) that carries it. */
export type SignedPayment = { payload: AnyPaymentPayload; headers: Record<string, string> };

/** Signs payments with a client engine, at most `maxPayments` over its lifetime. */
export type PaymentSigner = {
  sign(paymentRequired: AnyPaymentRequired, paymentIdentifier?: string): Promise<SignedPayment>;
};

/**
 * A signer over `client` with a lifetime budget: past it, `sign` throws `X402Error`
 * (`no_acceptable_payment_option`) before signing; a signature that fails gives its slot back.
 */
export function createPaymentSigner(
  client: X402Client,
  maxPayments = Number.POSITIVE_INFINITY,
): PaymentSigner {
  let payments = 0;
  return {
    async sign(paymentRequired, paymentIdentifier) {
      if (payments >= maxPayments) {
        throw new X402Error(
          Reasons.noAcceptablePaymentOption,
          `payment budget used up: this client may pay ${maxPayments} time(s); create a new wrapper or raise maxPayments`,
        );
      }
      payments++;
      let payload: AnyPaymentPayload;
      try {
        payload = await client.createPaymentPayload(
          paymentRequired,
          paymentIdentifier === undefined ? undefined : { paymentIdentifier },
        );
      } catch (error) {
        payments--;
        throw error;
      }
      const name = payload.x402Version === 2 ? HeaderNames.paymentSignature : HeaderNames.xPayment;
      return { payload, headers: { [name]: encodePaymentSignatureHeader(payload) } };
    },
  };
}

/** Wait before the one re-signed payment after a retryable refusal when its 402 has no `Retry-After`. */
const REFUSAL_RETRY_WAIT_MS = 100;
/** Longest wait before that payment, whatever `Retry-After` says. */
const REFUSAL_RETRY_MAX_WAIT_MS = 2_000;

/**
 * How long to wait before the one re-signed payment after a retryable refusal (a corrective 402,
 * a busy channel): the 402's `Retry-After`, else 100 ms, at most 2 s.
 *
 * @example refusalRetryDelayMs(null) // 100
 */
export function refusalRetryDelayMs(retryAfter: string | null | undefined): number {
  const wait =
    retryAfter === null || retryAfter === undefined ? REFUSAL_RETRY_WAIT_MS : retryAfterMs(retryAfter);
  return Math.min(wait, REFUSAL_RETRY_MAX_WAIT_MS);
}
