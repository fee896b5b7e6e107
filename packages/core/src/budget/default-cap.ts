import { usdStablecoin } from '../internal/usd-value.js';
import { formatUnits, parseUnits } from '../money.js';
import type { Offer, PaymentPolicy } from '../payment-policy.js';

/** What a client with no cap pays at most per payment, in US dollars of a stablecoin (as the reference 2.27). */
export const DEFAULT_MAX_AMOUNT_USD = '1';

/**
 * The per-payment cap a client applies when it is given none: offers in a registered USD
 * stablecoin above `usd` dollars are refused; other assets are left to the other policies.
 * `createX402Client` adds it unless its policies include a `maxAmountPolicy` or
 * `defaultMaxAmount` is `false`.
 *
 * @example
 * defaultCapPolicy('1').allows(offerOf2Usdc) // false
 */
export function defaultCapPolicy(usd: string = DEFAULT_MAX_AMOUNT_USD): PaymentPolicy {
  const capOf = (o: Offer): { cap: bigint; symbol: string; decimals: number } | undefined => {
    const coin = usdStablecoin(o.requirements.network, o.requirements.asset);
    return coin ? { cap: parseUnits(usd, coin.decimals), ...coin } : undefined;
  };
  return {
    name: 'defaultCap',
    allows: (o) => {
      const limit = capOf(o);
      return limit === undefined || BigInt(o.requirements.amount) <= limit.cap;
    },
    explain: (o) => {
      const limit = capOf(o);
      const asked = limit
        ? `${formatUnits(BigInt(o.requirements.amount), limit.decimals)} ${limit.symbol}`
        : o.requirements.amount;
      return (
        `${asked} is above the default cap of $${usd} per payment (no cap was configured); ` +
        `to pay more, give the client a cap: policies: [maxAmountPolicy('5')] ` +
        `(x402kit pay --max-amount 5), or defaultMaxAmount: false to remove it`
      );
    },
  };
}
