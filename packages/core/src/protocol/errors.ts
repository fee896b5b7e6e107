/**
 * The one error class of x402kit: a stable `reason` code from the one registry (`Reasons` or
 * a package's table made with `defineReasons`) and a message that says what to do. Every error the
 * packages throw is one (or a subclass, whose `name` and fields stay its own), so callers can branch
 * on `reason` and `listReasons()` tells whose code it is.
 *
 * @example
 * try { decodePaymentSignatureHeader(value) } catch (e) { if (e instanceof X402Error) console.log(e.reason) }
 */
export class X402Error extends Error {
  override name = 'X402Error';
  /** A code of the registry (`Reasons`, or a table made with `defineReasons`; see `listReasons()`). */
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    reason: string,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.details = options?.details;
  }
}

/**
 * Short human summary of a zod error: `field.path: message; ...` (first 5 issues).
 *
 * @example
 * ```ts
 * const r = PaymentPayload.safeParse(body);
 * if (!r.success) throw new Error(`bad payload: ${describeIssues(r.error.issues)}`);
 * ```
 */
export function describeIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
