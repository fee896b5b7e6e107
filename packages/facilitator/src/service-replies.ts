/**
 * The answers the facilitator service builds: JSON replies, error replies with a reason code,
 * the 413 that closes the connection, the `/health` answer and the `/fee/quote` answer.
 */
import { type FeeQuoter, quoteFees, readFeeQuoteRequest } from './fee-quote.js';
import { type ServiceErrorBody, ServiceReasons } from './service-reasons.js';
import type { HealthReport, ServiceReply } from './service-types.js';

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };
const OK_HEALTH = JSON.stringify({ status: 'ok' });

/**
 * A JSON answer.
 *
 * @example jsonReply(200, JSON.stringify({ status: 'ok' }))
 */
export function jsonReply(status: number, body: string): ServiceReply {
  return { status, headers: { ...JSON_HEADERS }, body };
}

/**
 * A non-200 answer: `{ error, message }`, with `error` also on the reply (metrics, logs).
 *
 * @example errorReply(404, ServiceReasons.notFound, 'no endpoint at /x')
 */
export function errorReply(status: number, error: string, message: string): ServiceReply {
  const body: ServiceErrorBody = { error, message };
  return { ...jsonReply(status, JSON.stringify(body)), error };
}

/**
 * The 413 for a body over the limit; the connection is closed after it (the rest is not read).
 *
 * @example tooLargeReply('70000 bytes', 65536)
 */
export function tooLargeReply(size: string, limitBytes: number): ServiceReply {
  const reply = errorReply(
    413,
    ServiceReasons.requestTooLarge,
    `the request body is ${size}; the limit is ${limitBytes} bytes`,
  );
  reply.closeConnection = true;
  reply.headers.connection = 'close';
  return reply;
}

/**
 * `GET /health`: `{"status":"ok"}`, or a 503 with the report's details.
 *
 * @example healthReply(await checkHealth())
 */
export function healthReply(report: HealthReport | undefined): ServiceReply {
  if (!report) return jsonReply(200, OK_HEALTH);
  if (report.ok) return jsonReply(200, JSON.stringify({ status: 'ok', ...report.details }));
  return {
    ...jsonReply(
      503,
      JSON.stringify({
        error: ServiceReasons.unhealthy,
        message: 'the facilitator is not healthy',
        status: 'unhealthy',
        ...report.details,
      }),
    ),
    error: ServiceReasons.unhealthy,
  };
}

/**
 * `POST /fee/quote`: one quote per offer the quoter prices (see `fee-quote.ts`).
 *
 * @example feeQuoteReply(bytes, facilitator.quoteFee)
 */
export function feeQuoteReply(bytes: Uint8Array, quoter: FeeQuoter): ServiceReply {
  const read = readFeeQuoteRequest(bytes);
  if (!read.ok) return errorReply(400, ServiceReasons.invalidRequestBody, read.message);
  return jsonReply(200, JSON.stringify(quoteFees(read.accepts, quoter)));
}
