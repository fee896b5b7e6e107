import { defineReasons, X402Error } from '@x402kit/core';

/**
 * Reason codes of GasFree failures (API client, typed data, deadline and fee rules).
 *
 * @example
 * if (error instanceof GasFreeError && error.reason === GasFreeReasons.timeout) console.log('still pending');
 */
export const GasFreeReasons = defineReasons('@x402kit/tron/gasfree', {
  /** The GasFree account is neither active nor allowed to submit. */
  accountInactive: 'gasfree_account_inactive',
  /** The API answered with `code != 200`; `apiReason` holds GasFree's exception name. */
  apiError: 'gasfree_api_error',
  /** The API answered with a non-2xx HTTP status, or the request failed on the network. */
  httpError: 'gasfree_http_error',
  /** The answer was not the GasFree envelope or lacked required fields. */
  badResponse: 'gasfree_bad_response',
  /** `data` was null where the call needs data. */
  nullData: 'gasfree_null_data',
  /** A request, or the wait for a transfer, took too long. */
  timeout: 'gasfree_timeout',
  /** The transfer ended in FAILED or ON_CHAIN_FAILED. */
  transferFailed: 'gasfree_transfer_failed',
  /** The permit's deadline would be closer than the provider minimum. */
  deadlineTooShort: 'gasfree_deadline_too_short',
  /** A permit field is malformed (address, amount, nonce). */
  invalidPermit: 'gasfree_invalid_permit',
  /** Client options are invalid (base URL, credentials). */
  invalidOptions: 'gasfree_invalid_options',
});

/**
 * One of {@link GasFreeReasons}.
 *
 * @example
 * const r: GasFreeReason = 'gasfree_timeout';
 */
export type GasFreeReason = (typeof GasFreeReasons)[keyof typeof GasFreeReasons];

/** Extra facts a {@link GasFreeError} can carry. */
export interface GasFreeErrorDetails {
  /** GasFree's exception name (`NonceNotMatchException`, ...) for `gasfree_api_error`. */
  apiReason?: string;
  /** HTTP status, when there was an answer. */
  status?: number;
  traceId?: string;
  /** Whether retrying the same request may succeed (5xx, network errors, timeouts). */
  transient?: boolean;
  /** The last status seen while waiting (keeps a landed `txnHash` across failures). */
  lastStatus?: unknown;
  [key: string]: unknown;
}

/**
 * A GasFree failure with a stable reason code.
 *
 * @example
 * try { await client.submit(permit, sig) } catch (e) {
 *   if (e instanceof GasFreeError && e.apiReason === 'NonceNotMatchException') console.log('re-read the nonce');
 * }
 */
export class GasFreeError extends X402Error {
  override name = 'GasFreeError';
  declare readonly reason: GasFreeReason;
  readonly apiReason: string | undefined;
  readonly status: number | undefined;
  readonly traceId: string | undefined;
  readonly transient: boolean;

  constructor(reason: GasFreeReason, message: string, details: GasFreeErrorDetails = {}, cause?: unknown) {
    super(reason, message, { details, cause });
    this.apiReason = details.apiReason;
    this.status = details.status;
    this.traceId = details.traceId;
    this.transient = details.transient ?? false;
  }
}
