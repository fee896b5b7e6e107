/**
 * `POST /fee/quote`, as BofAI's facilitator serves it: the body `{ accepts: PaymentRequirements[],
 * paymentPermitContext? }` is answered with one quote per offer the facilitator prices,
 * `{ fee: { feeTo, feeAmount, caller }, pricing: 'flat', scheme, network, asset, expiresAt }`;
 * offers it does not price are left out (not an error).
 */

/** The fields of an offer a quote depends on (a full `PaymentRequirements` fits). */
export type FeeQuoteRequestItem = { scheme: string; network: string; asset: string };

/** What a scheme answers for one offer it prices. */
export type FeeQuoteFee = { feeTo: string; feeAmount: string; caller?: string };

/** One entry of the `/fee/quote` answer. */
export type FeeQuoteResponse = {
  fee: FeeQuoteFee;
  pricing: 'flat';
  scheme: string;
  network: string;
  asset: string;
  /** Unix seconds. */
  expiresAt: number;
};

/** Prices one offer, or `undefined` when it is not served (e.g. `quoteFee` of the exact_permit facilitator). */
export type FeeQuoter = (offer: FeeQuoteRequestItem) => FeeQuoteFee | undefined;

/** How long a quote is valid, as BofAI's facilitator answers (5 minutes). */
export const FEE_QUOTE_TTL_SECONDS = 300;

export type ReadFeeQuoteRequestResult =
  | { ok: true; accepts: FeeQuoteRequestItem[] }
  | { ok: false; message: string };

const decoder = new TextDecoder('utf-8');

/**
 * Read a `/fee/quote` body. Never throws. Offers that lack scheme, network or asset are an error.
 *
 * @example readFeeQuoteRequest('{"accepts":[{"scheme":"exact_permit","network":"eip155:97","asset":"0x…"}]}')
 */
export function readFeeQuoteRequest(bytes: Uint8Array | string): ReadFeeQuoteRequestResult {
  const text = typeof bytes === 'string' ? bytes : decoder.decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      message: 'the request body is not JSON; send {"accepts": [PaymentRequirements, ...]}',
    };
  }
  const accepts = typeof json === 'object' && json !== null ? Reflect.get(json, 'accepts') : undefined;
  if (!Array.isArray(accepts))
    return {
      ok: false,
      message: 'accepts is missing or not an array; send {"accepts": [PaymentRequirements, ...]}',
    };
  const out: FeeQuoteRequestItem[] = [];
  for (const [i, item] of accepts.entries()) {
    const get = (key: string): unknown =>
      typeof item === 'object' && item !== null ? Reflect.get(item, key) : undefined;
    const scheme = get('scheme');
    const network = get('network');
    const asset = get('asset');
    if (typeof scheme !== 'string' || typeof network !== 'string' || typeof asset !== 'string')
      return { ok: false, message: `accepts[${i}] needs string scheme, network and asset` };
    out.push({ scheme, network, asset });
  }
  return { ok: true, accepts: out };
}

/**
 * Quote every offer the quoter prices, in request order.
 *
 * @example quoteFees(accepts, permit.quoteFee) // [{ fee: { feeTo, feeAmount: '100', caller }, pricing: 'flat', ... }]
 */
export function quoteFees(
  accepts: readonly FeeQuoteRequestItem[],
  quoter: FeeQuoter,
  now: number = Math.floor(Date.now() / 1000),
): FeeQuoteResponse[] {
  const out: FeeQuoteResponse[] = [];
  for (const offer of accepts) {
    const fee = quoter(offer);
    if (!fee) continue;
    out.push({
      fee: { ...fee },
      pricing: 'flat',
      scheme: offer.scheme,
      network: offer.network,
      asset: offer.asset,
      expiresAt: now + FEE_QUOTE_TTL_SECONDS,
    });
  }
  return out;
}
