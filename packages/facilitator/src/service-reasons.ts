/**
 * Reason codes of the facilitator service's own HTTP errors (the `error` field of a non-200
 * answer). Payment failures are not here: they travel in `invalidReason` / `errorReason` of a
 * 200 answer and come from `@x402kit/core`'s `Reasons`.
 *
 * @example
 * if (answer.error === ServiceReasons.requestTooLarge) console.error('send a smaller body')
 */
import { defineReasons, Reasons, sharedReason } from '@x402kit/core';

/** The reason codes the facilitator service itself answers with (bad bodies, auth, rate limits, unexpected errors). */
export const ServiceReasons = defineReasons('@x402kit/facilitator', {
  /** The body is not JSON, not an object, or lacks `paymentPayload` / `paymentRequirements`. */
  invalidRequestBody: sharedReason(Reasons.invalidRequestBody),
  /** The body is larger than the service's `bodyLimitBytes`. */
  requestTooLarge: sharedReason(Reasons.requestTooLarge),
  /** The body was sent with a content type other than JSON. */
  unsupportedMediaType: 'unsupported_media_type',
  /** No endpoint at this path. */
  notFound: 'not_found',
  /** The endpoint exists but not for this HTTP method (the `Allow` header lists the right one). */
  methodNotAllowed: 'method_not_allowed',
  /** The `X402-Attempt` header is not 8 to 128 characters of `[A-Za-z0-9._:-]`. */
  invalidAttempt: 'invalid_attempt',
  /** No API key was sent where one is required, or the key is unknown (401). */
  unauthorized: 'unauthorized',
  /** The API key may not use this endpoint or network (403). */
  forbidden: 'forbidden',
  /** The caller's requests per minute are spent; `Retry-After` says when to come back (429). */
  rateLimited: 'rate_limited',
  /** A `/payments` query is malformed: no filter, a bad limit, a bad transaction path (400). */
  invalidRequest: 'invalid_request',
  /** No payment was settled by the transaction asked for on `/payments/tx/<hash>` (404). */
  paymentNotFound: 'payment_not_found',
  /** The payment ledger cannot be read right now (503). */
  ledgerUnavailable: 'ledger_unavailable',
  /** The health check failed (an RPC is down, ...). */
  unhealthy: 'unhealthy',
  /** A bug or an outage on our side; the details are in the facilitator's log, not in the answer. */
  unexpectedError: 'unexpected_error',
});

/** A reason code of `ServiceReasons`. */
export type ServiceReason = (typeof ServiceReasons)[keyof typeof ServiceReasons];

/** The body of every non-200 answer of the service. */
export type ServiceErrorBody = { error: string; message: string };
