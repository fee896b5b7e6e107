/**
 * Headers every x402 answer carries: the CORS expose list (browsers cannot read
 * `PAYMENT-REQUIRED` / `PAYMENT-RESPONSE` otherwise) and `Cache-Control: no-store`
 * (a CDN must never cache a 402 or replay paid content to someone who did not pay).
 */

/** The x402 headers a browser client must be allowed to read. */
export const EXPOSED_PAYMENT_HEADERS = [
  'PAYMENT-REQUIRED',
  'PAYMENT-RESPONSE',
  'X-PAYMENT-RESPONSE',
] as const;

/** `Access-Control-Expose-Headers` value when nothing else is exposed. */
export const EXPOSE_HEADERS_VALUE = EXPOSED_PAYMENT_HEADERS.join(', ');

/** `Cache-Control` of every 402 and every paid response. */
export const NO_STORE = 'no-store';

/**
 * Merge the x402 headers into an existing `Access-Control-Expose-Headers` value, keeping what
 * is there and adding only what is missing (case-insensitive).
 *
 * @example
 * mergeExposeHeaders('X-Request-Id') // 'X-Request-Id, PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE'
 * mergeExposeHeaders(null)           // 'PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE'
 */
export function mergeExposeHeaders(existing: string | null | undefined): string {
  if (!existing || existing.trim() === '') return EXPOSE_HEADERS_VALUE;
  const present = new Set(
    existing
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ''),
  );
  const missing = EXPOSED_PAYMENT_HEADERS.filter((h) => !present.has(h.toLowerCase()));
  return missing.length === 0 ? existing : `${existing}, ${missing.join(', ')}`;
}
