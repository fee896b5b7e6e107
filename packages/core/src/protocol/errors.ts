/**
 * Marks an x402kit error whatever its class (on `X402Error.prototype`, and on the native errors
 * {@link withReason} tags): `instanceof X402Error` tests for it. A registered symbol, so two copies of
 * core (its ESM and CommonJS builds in one process) recognise each other's errors.
 */
const X402_ERROR: unique symbol = Symbol.for('@x402kit/core/X402Error');

/**
 * The one error class of x402kit: a stable `reason` code from the one registry (`Reasons` or
 * a package's table made with `defineReasons`) and a message that says what to do. Every error the
 * packages throw is one (or a subclass, whose `name` and fields stay its own, or a `TypeError` /
 * `RangeError` tagged with {@link withReason}), so callers can branch on `reason` and `listReasons()`
 * tells whose code it is.
 *
 * @example
 * try { decodePaymentSignatureHeader(value) } catch (e) { if (e instanceof X402Error) console.log(e.reason) }
 */
export class X402Error extends Error {
  /** True for an x402kit error: an `X402Error` (of any copy of core) or a native error tagged with {@link withReason}. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of instanceof: a subclass tests its own prototype
    if (this !== X402Error) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && X402_ERROR in value;
  }

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
Object.defineProperty(X402Error.prototype, X402_ERROR, { value: true });

/**
 * Give a native `TypeError` or `RangeError` (a value of the wrong type or out of its range) a
 * registered `reason`, so it is an x402kit error (`instanceof X402Error`, with `reason` and
 * `details`) and stays the native class callers may already test for.
 *
 * @example
 * if (nonce < 0n) throw withReason(new RangeError(`${nonce} is not a uint256`), Reasons.invalidArgument)
 */
export function withReason<E extends TypeError | RangeError>(
  error: E,
  reason: string,
  details?: Record<string, unknown>,
): E & Pick<X402Error, 'reason' | 'details'> {
  Object.defineProperty(error, X402_ERROR, { value: true });
  return Object.assign(error, { reason, details });
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
