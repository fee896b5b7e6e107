/**
 * How far in the future a signed authorization may expire. An offer says how long a payment for it
 * may take (`maxTimeoutSeconds`); an authorization that stays valid much longer is a bearer
 * instrument anyone who sees it (a log, a proxy, a server that keeps it) can settle later. Every
 * scheme's verify refuses an expiry (`validBefore`, a Permit2 or GasFree `deadline`) past
 * `now + maxTimeoutSeconds + AUTHORIZATION_LIFETIME_SKEW_SECONDS`.
 */

/**
 * Seconds of clock difference tolerated between the client that signed and the facilitator that
 * checks: official clients sign `now + maxTimeoutSeconds` by their own clock.
 */
export const AUTHORIZATION_LIFETIME_SKEW_SECONDS = 30;

/**
 * The latest expiry an authorization for an offer may carry, checked at `now` (unix seconds).
 * `lifetimeSeconds` is the offer's `maxTimeoutSeconds`, or more where a client must sign further out.
 *
 * @example latestAuthorizationExpiry(1_700_000_000, 300) // 1700000330n
 */
export function latestAuthorizationExpiry(now: number | bigint, lifetimeSeconds: number): bigint {
  return BigInt(now) + BigInt(lifetimeSeconds) + BigInt(AUTHORIZATION_LIFETIME_SKEW_SECONDS);
}

/**
 * Whether `expiry` lies past {@link latestAuthorizationExpiry}, and if so the message to answer:
 * which field, how far it is and the limit.
 *
 * @example
 * authorizationTooFar('validBefore', 1_700_003_600n, { now: 1_700_000_000, lifetimeSeconds: 300 })
 * // 'validBefore 1700003600 is 3600 s away; this offer allows at most 300 s (maxTimeoutSeconds) + 30 s of clock skew: sign it at most now + maxTimeoutSeconds'
 */
export function authorizationTooFar(
  field: string,
  expiry: bigint,
  limit: { now: number | bigint; lifetimeSeconds: number; why?: string },
): string | undefined {
  const now = BigInt(limit.now);
  if (expiry <= latestAuthorizationExpiry(now, limit.lifetimeSeconds)) return undefined;
  return (
    `${field} ${expiry} is ${expiry - now} s away; this offer allows at most ${limit.lifetimeSeconds} s ` +
    `(${limit.why ?? 'maxTimeoutSeconds'}) + ${AUTHORIZATION_LIFETIME_SKEW_SECONDS} s of clock skew: ` +
    'sign it at most now + maxTimeoutSeconds'
  );
}
