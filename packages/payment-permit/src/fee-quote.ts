import { type ChainAddresses, type SchemeServer, type SupportedKind, X402Error } from '@x402kit/core';
import { ExactPermitReasons } from './reasons.js';

/**
 * `requirements.extra.fee`, as BofAI's servers write it: the facilitator fee of an `exact_permit`
 * offer, in the address form of the offer's chain.
 *
 * @example
 * const fee: ExactPermitFeeQuote = { feeTo: '0x3333…', feeAmount: '100', caller: '0x3333…' };
 */
export type ExactPermitFeeQuote = {
  /** The facilitator's id (BofAI's server copies its facilitator client's id here; optional). */
  facilitatorId?: string;
  feeTo: string;
  /** Atomic units of the payment token, decimal string. */
  feeAmount: string;
  /** The only address allowed to call `permitTransferFrom` (the facilitator's settlement key). */
  caller?: string;
};

/**
 * A fee table's `amount` as atomic units: a bigint as is, a decimal string (or number) of digits
 * parsed; `undefined` for anything else (negative, fractional, not a number), for the caller to
 * reject with the entry's path.
 *
 * @example
 * feeTableAmount('100'); // 100n
 * feeTableAmount('0.5'); // undefined
 */
export function feeTableAmount(amount: string | bigint): bigint | undefined {
  if (typeof amount === 'bigint') return amount < 0n ? undefined : amount;
  return /^\d+$/.test(String(amount)) ? BigInt(amount) : undefined;
}

/**
 * The `caller`, `feeTo` and `feeAmount` of an offer's `extra.fee`, as a client signs them: each address
 * checked by `isAddress` (the chain's form; `addresses` names that form in the error), the amount a
 * decimal of digits (default `0`).
 *
 * @throws {X402Error} `invalid_exact_permit_missing_fee` when an address or the amount is missing or malformed.
 * @example
 * readOfferFee(requirements.extra?.fee, isEvmAddress, 'caller and feeTo addresses') // { caller: '0x3333…', feeTo: '0x3333…', feeAmount: '100' }
 */
export function readOfferFee(
  value: unknown,
  isAddress: (value: unknown) => value is string,
  addresses: string,
): { caller: string; feeTo: string; feeAmount: string } {
  const get = (key: string): unknown =>
    typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
  const caller = get('caller');
  const feeTo = get('feeTo');
  const feeAmount = get('feeAmount') ?? '0';
  if (!isAddress(caller) || !isAddress(feeTo)) {
    throw new X402Error(
      ExactPermitReasons.missingFee,
      `exact_permit: requirements.extra.fee needs ${addresses} (the facilitator that settles); without them the permit could never be settled`,
    );
  }
  if ((typeof feeAmount !== 'string' && typeof feeAmount !== 'number') || !/^\d+$/.test(String(feeAmount))) {
    throw new X402Error(
      ExactPermitReasons.missingFee,
      'exact_permit: requirements.extra.fee.feeAmount is not an amount',
    );
  }
  return { caller, feeTo, feeAmount: String(feeAmount) };
}

/**
 * The fee an `exact_permit` kind's `extra` (`{ caller, feeTo, fees: { <token>: { feeAmount, feeTo? } } }`)
 * quotes for the token keyed `tokenKey`, in the canonical spelling of `addresses`' chain; `undefined` when the kind
 * has no complete entry for it.
 *
 * @example
 * feeFromKindExtra(kind.extra, 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf', tronAddresses) // { feeTo: 'T…', feeAmount: '100', caller: 'T…' }
 */
export function feeFromKindExtra(
  extra: Record<string, unknown> | undefined,
  tokenKey: string,
  addresses: ChainAddresses,
): ExactPermitFeeQuote | undefined {
  if (!extra) return undefined;
  const caller = addresses.canonical(extra.caller);
  const { fees } = extra;
  if (caller === undefined || addresses.canonical(extra.feeTo) === undefined) return undefined;
  if (typeof fees !== 'object' || fees === null) return undefined;
  const entry: unknown = Reflect.get(fees, tokenKey);
  if (typeof entry !== 'object' || entry === null) return undefined;
  const amount: unknown = Reflect.get(entry, 'feeAmount');
  // the entry's own feeTo, else the kind's
  const feeTo = addresses.canonical(Reflect.get(entry, 'feeTo') ?? extra.feeTo);
  if (typeof amount !== 'string' || !/^\d+$/.test(amount) || feeTo === undefined) return undefined;
  return { feeTo, feeAmount: amount, caller };
}

/**
 * A scheme server's `enhanceRequirements` writing the facilitator fee into `extra.fee` (BofAI's
 * `exact_permit` and `exact_gasfree` alike): the `configured` quote for the offer's network and asset,
 * else the one its facilitator's supported kind advertises; an offer with neither stays as it is.
 *
 * @example
 * const server: SchemeServer = { scheme: 'exact_permit', parsePrice, enhanceRequirements: feeEnhancer(options.fee, feeFromSupportedKind) }
 */
export function feeEnhancer<Fee extends object>(
  configured: ((network: string, asset: string) => Fee | undefined) | undefined,
  advertised: (kind: SupportedKind | undefined, asset: string) => Fee | undefined,
): NonNullable<SchemeServer['enhanceRequirements']> {
  return (requirements, ctx) => {
    const fee =
      configured?.(requirements.network, requirements.asset) ??
      advertised(ctx.supportedKind, requirements.asset);
    if (!fee) return requirements;
    return { ...requirements, extra: { ...requirements.extra, fee: { ...fee } } };
  };
}
