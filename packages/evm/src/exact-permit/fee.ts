/**
 * The facilitator fee of `exact_permit`: the quote a server puts in `requirements.extra.fee`, and
 * the `extra` a facilitator advertises for the kind in `/supported`.
 */
import type { SupportedKind } from '@x402kit/core';
import { type ExactPermitFeeQuote, feeFromKindExtra } from '@x402kit/payment-permit';
import type { Address } from 'viem';
import { addressKey, evmAddresses } from '../address.js';

/** What a fee policy answers for one token: where the fee goes and how much it is. */
export type ExactPermitFee = { feeTo: Address; amount: bigint };

/** A fee policy: the fee for `asset` on `network`, or `undefined` when the token is not served. */
export type ExactPermitFeeSource = (network: string, asset: string) => ExactPermitFee | undefined;

/**
 * `extra` of the `exact_permit` kind in `/supported`: the settlement address (`caller`), where
 * fees go by default, and the flat fee per token (lower-case address -> `{ feeTo, feeAmount }`).
 */
export type ExactPermitKindExtra = {
  caller: Address;
  feeTo: Address;
  pricing: 'flat';
  fees: Record<string, { feeTo: Address; feeAmount: string }>;
};

/**
 * The fee quote for `asset` from a `/supported` kind advertised by our facilitator, if any.
 *
 * @example feeFromSupportedKind(kind, '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd') // { feeTo, feeAmount: '100', caller }
 */
export function feeFromSupportedKind(
  kind: SupportedKind | undefined,
  asset: string,
): ExactPermitFeeQuote | undefined {
  return feeFromKindExtra(kind?.extra, addressKey(asset), evmAddresses);
}
