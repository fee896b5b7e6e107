// How the GasFree API writes its JSON: longs as plain JSON numbers, times as ISO-8601 with `+00:00`.

const BIGINT_MARK = '\u0000bigint:';

/**
 * JSON text with bigints written as plain JSON numbers (exact, as the GasFree API's Java backend writes longs).
 *
 * @example
 * ```ts
 * gasFreeJson({ code: 200, reason: null, message: null, data: { fee: 10n ** 18n } }); // '{"code":200,...,"fee":1000000000000000000}}'
 * ```
 */
export function gasFreeJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${BIGINT_MARK}${v}` : v,
  );
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/** ISO-8601 time as the GasFree API writes it (`2024-09-10T08:11:50.822+00:00`). */
export function gasFreeTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}
