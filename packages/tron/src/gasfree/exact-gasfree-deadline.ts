import type { GasFreeProvider } from './gasfree-api-types.js';
import { GasFreeError, GasFreeReasons } from './gasfree-error.js';
import { clampGasFreeDeadline, GASFREE_MIN_DEADLINE_SECONDS } from './typed-data.js';

/** Seconds kept between a deadline and a provider's limits (BofAI's margin). */
export const GASFREE_DEADLINE_MARGIN_SECONDS = 5;

/**
 * The deadline to sign: `requested` (e.g. the context's `validBefore`; absent means as late as allowed) clamped
 * into the network window of {@link clampGasFreeDeadline} and, when known, the provider's own
 * `[minDeadlineDuration + 5, maxDeadlineDuration - 5]` seconds from now. Later is lowered; sooner throws
 * `gasfree_deadline_too_short`.
 *
 * @example
 * providerDeadline({ chainId: 3448148188, requested: now + 7200, provider, now }); // now + 3595 for a 3600 s provider
 */
export function providerDeadline(parameters: {
  chainId: number;
  requested?: bigint | number;
  provider?: Pick<GasFreeProvider, 'config'>;
  now?: number;
}): bigint {
  const now = parameters.now ?? Math.floor(Date.now() / 1000);
  const clamped = clampGasFreeDeadline({
    chainId: parameters.chainId,
    now,
    ...(parameters.requested === undefined ? {} : { requested: parameters.requested }),
  });
  const config = parameters.provider?.config;
  if (!config) return clamped;
  const margin = GASFREE_DEADLINE_MARGIN_SECONDS;
  const min = BigInt(now + Math.max(GASFREE_MIN_DEADLINE_SECONDS, config.minDeadlineDuration + margin));
  const max = BigInt(now + config.maxDeadlineDuration - margin);
  if (clamped < min) {
    throw new GasFreeError(
      GasFreeReasons.deadlineTooShort,
      `deadline ${clamped} is ${clamped - BigInt(now)} s from now; the provider needs at least ${config.minDeadlineDuration + margin} s`,
    );
  }
  return clamped > max ? max : clamped;
}
