/** Readable text out of thrown values, viem errors included (their revert reason first). */
import { BaseError } from 'viem';

/**
 * The most telling text of an error: a revert reason, viem's details and short message, else the
 * plain message. Used to map failures to reason codes and to fill `invalidMessage`.
 *
 * @example errorText(new Error('boom')) // 'boom'
 */
export function errorText(error: unknown): string {
  if (error instanceof BaseError) {
    const withReason = error.walk((e) => typeof property(e, 'reason') === 'string');
    const reason = withReason ? String(property(withReason, 'reason')) : '';
    const parts = [reason, error.details, error.shortMessage].filter(
      (s) => typeof s === 'string' && s !== '',
    );
    return [...new Set(parts)].join(' | ');
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Did a request time out (the outcome on the server side is then unknown)?
 *
 * @example isTimeoutError(new TimeoutError({ body: {}, url: '' })) // true
 */
export function isTimeoutError(error: unknown): boolean {
  if (error instanceof BaseError)
    return error.walk((e) => e instanceof Error && e.name === 'TimeoutError') !== null;
  return error instanceof Error && error.name === 'TimeoutError';
}

function property(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}
