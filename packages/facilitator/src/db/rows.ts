/**
 * Rows as both drivers return them: pg gives `BIGINT` as a string, libsql as a number (or a
 * bigint); each store validates its rows with a zod schema built from these pieces.
 */
import { z } from 'zod';

/** A `BIGINT` column of epoch milliseconds, as a number whichever driver read it. */
export const epochMs = z.union([z.number(), z.string(), z.bigint()]).transform((v) => Number(v));

/**
 * `row` validated by `schema`, or the store's own error made from what is wrong with it.
 *
 * @example
 * const r = parseRow(PaymentRow, row, (issues) => new LedgerRowError(`not a payment row: ${issues}`))
 */
export function parseRow<T>(schema: z.ZodType<T>, row: unknown, toError: (issues: string) => Error): T {
  const parsed = schema.safeParse(row);
  if (!parsed.success) throw toError(parsed.error.message);
  return parsed.data;
}
