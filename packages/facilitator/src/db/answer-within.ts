/**
 * A store call bounded in time, for the callers that must not wait on a database that stopped
 * answering: the health check's ledger query and the key leases' release at shutdown.
 */
import { X402Error } from '@x402kit/core';
import { FacilitatorReasons } from '../facilitator-reasons.js';

/**
 * `promise`, or a rejection once `ms` passed without it settling: an `X402Error`
 * `facilitator_store_timeout`, "no answer within <ms> ms". The timer is cleared either way.
 *
 * @example
 * const ledger = await answerWithin(options.ledger.list({ limit: 1 }), 2000).then(() => 'ok', (e) => `error: ${e.message}`)
 */
export function answerWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new X402Error(FacilitatorReasons.storeTimeout, `no answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
