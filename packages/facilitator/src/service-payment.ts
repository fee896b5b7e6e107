/**
 * The steps of `POST /verify`, `/settle` and `/release`: read the request (content type, size,
 * body, `X402-Attempt`, envelope, the {@link Authorize} hook), then ask the engine and answer 200
 * with its result, recording the outcome on the call's event.
 */
import {
  ATTEMPT_HEADER,
  ATTEMPT_PATTERN,
  type Facilitator,
  type FacilitatorCallOptions,
  type SettleResponse,
  type VerifyResponse,
} from '@x402kit/core';
import { readFacilitatorRequest } from './facilitator-request.js';
import type { Emit } from './log.js';
import { isJsonContentType } from './service-http.js';
import { ServiceReasons } from './service-reasons.js';
import { errorReply, jsonReply, tooLargeReply } from './service-replies.js';
import type { ServiceCall } from './service-routes.js';
import type { Authorize, ServiceReply } from './service-types.js';

/** A verify/settle/release request, read and allowed. */
export type PaymentCall = {
  paymentPayload: Record<string, unknown>;
  paymentRequirements: Record<string, unknown>;
  options: FacilitatorCallOptions;
};

export type PaymentEndpoint = 'verify' | 'settle' | 'release';

/**
 * Read the body once it is known to be JSON and within `bodyLimitBytes` (counted as it arrives).
 * The bytes, or the refusal to send (415, 413, 400).
 *
 * @example
 * const body = await readJsonBody(call, 65536)
 * if (!(body instanceof Uint8Array)) return body
 */
export async function readJsonBody(
  call: ServiceCall,
  bodyLimitBytes: number,
): Promise<Uint8Array | ServiceReply> {
  const { headers } = call.exchange;
  const contentType = headers.get('content-type');
  if (contentType !== null && !isJsonContentType(contentType)) {
    return errorReply(
      415,
      ServiceReasons.unsupportedMediaType,
      `content-type must be application/json, got ${JSON.stringify(contentType.slice(0, 100))}`,
    );
  }
  const declared = headers.get('content-length');
  if (declared !== null && Number(declared) > bodyLimitBytes) {
    return tooLargeReply(`${declared} bytes`, bodyLimitBytes);
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = await call.exchange.readBody(bodyLimitBytes);
  } catch (error) {
    return errorReply(
      400,
      ServiceReasons.invalidRequestBody,
      `the request body could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return bytes ?? tooLargeReply(`more than ${bodyLimitBytes} bytes`, bodyLimitBytes);
}

/**
 * From the body's bytes to a {@link PaymentCall}: the attempt header, the envelope, then the
 * {@link Authorize} hook. The call, or the refusal to send (400, 403).
 *
 * @example
 * const payment = await readPaymentCall(call, bytes, 'verify', authorize)
 * if (!('paymentPayload' in payment)) return payment
 */
export async function readPaymentCall(
  call: ServiceCall,
  bytes: Uint8Array,
  endpoint: PaymentEndpoint,
  authorize: Authorize | undefined,
): Promise<PaymentCall | ServiceReply> {
  const { exchange, event } = call;
  const attempt = exchange.headers.get(ATTEMPT_HEADER);
  if (attempt !== null && !ATTEMPT_PATTERN.test(attempt)) {
    return errorReply(
      400,
      ServiceReasons.invalidAttempt,
      `the ${ATTEMPT_HEADER} header must be 8 to 128 characters of [A-Za-z0-9._:-]`,
    );
  }
  const options: FacilitatorCallOptions = {
    ...(attempt === null ? {} : { attempt }),
    ...(event.principal === undefined ? {} : { principal: event.principal }),
  };
  const traceparent = exchange.headers.get('traceparent');
  if (traceparent !== null) event.traceparent = traceparent;
  const read = readFacilitatorRequest(bytes);
  if (!read.ok) return errorReply(400, ServiceReasons.invalidRequestBody, read.message);
  const { paymentPayload, paymentRequirements } = read.body;
  if (typeof paymentRequirements.scheme === 'string') event.scheme = paymentRequirements.scheme;
  if (typeof paymentRequirements.network === 'string') event.network = paymentRequirements.network;
  if (authorize) {
    const verdict = await authorize({
      endpoint,
      paymentPayload,
      paymentRequirements,
      ...(event.principal === undefined ? {} : { principal: event.principal }),
    });
    if (!verdict.ok) return errorReply(verdict.status, verdict.reason, verdict.message);
  }
  return { paymentPayload, paymentRequirements, options };
}

/**
 * Ask the engine for the endpoint's answer: 200 with the verify, settle or release result.
 *
 * @example
 * return answerPayment(facilitator, 'verify', call, payment, emit)
 */
export async function answerPayment(
  facilitator: Facilitator,
  endpoint: PaymentEndpoint,
  call: ServiceCall,
  payment: PaymentCall,
  emit: Emit | undefined,
): Promise<ServiceReply> {
  const { paymentPayload, paymentRequirements, options } = payment;
  if (endpoint === 'verify') {
    const result = await facilitator.verify(paymentPayload, paymentRequirements, options);
    recordVerify(call, result, emit);
    return jsonReply(200, JSON.stringify(result));
  }
  if (endpoint === 'release') {
    const released = (await facilitator.release?.(paymentPayload, paymentRequirements, options)) ?? {
      released: false,
    };
    return jsonReply(200, JSON.stringify(released));
  }
  const result = await facilitator.settle(paymentPayload, paymentRequirements, options);
  recordSettle(call, result, emit);
  return jsonReply(200, JSON.stringify(result));
}

function recordVerify(call: ServiceCall, result: VerifyResponse, emit: Emit | undefined): void {
  const { event } = call;
  event.outcome = result.isValid ? 'valid' : 'invalid';
  if (result.invalidReason !== undefined) event.reason = result.invalidReason;
  if (result.payer) event.payer = result.payer;
  emit?.('debug', `verify: ${result.isValid ? 'valid' : `invalid (${result.invalidReason})`}`, {
    scheme: event.scheme,
    network: event.network,
    payer: result.payer,
    invalidReason: result.invalidReason,
    invalidMessage: result.invalidMessage,
  });
}

function recordSettle(call: ServiceCall, result: SettleResponse, emit: Emit | undefined): void {
  const { event } = call;
  event.outcome = result.success ? 'settled' : 'failed';
  if (result.errorReason !== undefined) event.reason = result.errorReason;
  if (result.payer) event.payer = result.payer;
  if (result.transaction) event.transaction = result.transaction;
  emit?.('info', `settle: ${result.success ? 'settled' : `failed (${result.errorReason})`}`, {
    scheme: event.scheme,
    network: result.network,
    transaction: result.transaction,
    payer: result.payer,
    errorReason: result.errorReason,
    errorMessage: result.errorMessage,
  });
}
