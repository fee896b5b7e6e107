/**
 * The `exact_permit` offer the EVM unit tests sign and check: 0.01 USDT (18 decimals) on BSC testnet
 * (`eip155:97`), as BofAI's examples price it, with the `extra` each test needs; and the `/supported`
 * kind of a facilitator that quotes a flat fee.
 */
import type { PaymentRequirements, SupportedKind } from '@x402kit/core';

/**
 * 0.01 USDT at its BSC-testnet address to `0x2222…2222`, 300 s to pay, with `extra` (token name and
 * version, the facilitator's fee).
 *
 * @example
 * const requirements = bscExactPermitRequirements({ fee: { feeTo, feeAmount: '100', caller: feeTo } })
 */
export function bscExactPermitRequirements(extra: Record<string, unknown>): PaymentRequirements {
  return {
    scheme: 'exact_permit',
    network: 'eip155:97',
    amount: '10000000000000000',
    asset: '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd',
    payTo: '0x2222222222222222222222222222222222222222',
    maxTimeoutSeconds: 300,
    extra,
  };
}

/**
 * The `/supported` kind of an `exact_permit` facilitator on `network` whose one key `caller` settles
 * and takes a flat `feeAmount` of `token` (the token in the form the chain's fee table keys it).
 *
 * @example
 * const supportedKind = exactPermitFeeKind('tron:nile', caller, usdt, '100')
 */
export function exactPermitFeeKind(
  network: string,
  caller: string,
  token: string,
  feeAmount: string,
): SupportedKind {
  return {
    x402Version: 2,
    scheme: 'exact_permit',
    network,
    extra: { caller, feeTo: caller, pricing: 'flat', fees: { [token]: { feeTo: caller, feeAmount } } },
  };
}
