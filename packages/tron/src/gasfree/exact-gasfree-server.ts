/**
 * The resource-server side of `exact_gasfree`: TRON USDT prices, the provider's fee in `extra.fee` and a fresh
 * `paymentPermitContext` (its `validBefore` becomes the permit deadline, clamped by the client).
 */
import { parsePrice, Reasons, type SchemeServer, type SupportedKind, X402Error } from '@x402kit/core';
import {
  type CreatePaymentPermitContextOptions,
  contextWindowSeconds,
  createPaymentPermitContext,
  feeEnhancer,
  PAYMENT_PERMIT_CONTEXT_KEY,
} from '@x402kit/payment-permit';
import { isTronAddress, toTronAddress, tronAddressBody } from '../address.js';
import { parseTronNetwork } from '../networks.js';
import { EXACT_GASFREE_SCHEME } from './exact-gasfree-payload.js';

/** `requirements.extra.fee` of `exact_gasfree`: the provider is both `feeTo` and `caller`. */
export interface ExactGasFreeFeeQuote {
  feeTo: string;
  feeAmount: string;
  caller: string;
}

/** `extra` of the `exact_gasfree` kind in `/supported` (see `createExactGasFreeFacilitator`). */
export interface ExactGasFreeKindExtra {
  /** Live GasFree providers, Base58. */
  providers: string[];
  /** The provider quoted by default (the first). */
  feeTo: string;
  caller: string;
  pricing: 'flat';
  /** Token (Base58) -> fee quote. */
  fees: Record<string, { feeTo: string; feeAmount: string }>;
}

/** Options of {@link createExactGasFreeServer}. */
export interface ExactGasFreeServerOptions {
  /** A configured fee per offer; wins over the facilitator's `/supported` kind. `undefined` defers to it. */
  fee?: (network: string, asset: string) => ExactGasFreeFeeQuote | undefined;
  /**
   * Window of each 402's `paymentPermitContext` (its `validBefore` is the deadline the client signs): the
   * offers' smallest `maxTimeoutSeconds`, which `validForSeconds` can only shorten (the facilitator refuses a
   * deadline further out).
   */
  context?: Omit<CreatePaymentPermitContextOptions, 'now'>;
}

/**
 * The fee quote for `asset` in a `/supported` kind advertised by our exact_gasfree facilitator, if any.
 *
 * @example
 * feeFromGasFreeKind(kind, 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf'); // { feeTo: 'TK…', feeAmount: '100000', caller: 'TK…' }
 */
export function feeFromGasFreeKind(
  kind: SupportedKind | undefined,
  asset: string,
): ExactGasFreeFeeQuote | undefined {
  const extra = kind?.extra;
  const fees = extra?.fees;
  if (typeof fees !== 'object' || fees === null || !isTronAddress(asset)) return undefined;
  const key = Object.keys(fees).find(
    (k) => isTronAddress(k) && tronAddressBody(k) === tronAddressBody(asset),
  );
  const entry: unknown = key === undefined ? undefined : Reflect.get(fees, key);
  if (typeof entry !== 'object' || entry === null) return undefined;
  const feeTo: unknown = Reflect.get(entry, 'feeTo') ?? extra?.feeTo;
  const feeAmount: unknown = Reflect.get(entry, 'feeAmount');
  if (!isTronAddress(feeTo) || typeof feeAmount !== 'string' || !/^\d+$/.test(feeAmount)) return undefined;
  const provider = toTronAddress(feeTo);
  return { feeTo: provider, feeAmount, caller: provider };
}

/**
 * Creates the server half of `exact_gasfree`, for `createResourceServer` from `@x402kit/core`. `"$0.01"` on
 * `tron:nile` is 10000 units of Nile USDT, with `extra.fee = {feeTo: provider, caller: provider, feeAmount}`.
 *
 * @example
 * const server = createResourceServer({
 *   facilitators: createHttpFacilitatorClient({ url }),
 *   schemes: [{ network: 'tron:*', server: createExactGasFreeServer() }],
 * });
 */
export function createExactGasFreeServer(options: ExactGasFreeServerOptions = {}): SchemeServer {
  return {
    scheme: EXACT_GASFREE_SCHEME,
    parsePrice(price, rawNetwork) {
      const network = parseTronNetwork(rawNetwork)?.network;
      if (!network) {
        throw new X402Error(
          Reasons.invalidPaymentRequirements,
          `exact_gasfree runs on TRON only (tron:mainnet, tron:nile, tron:shasta), not ${rawNetwork}`,
        );
      }
      const { amount, asset } = parsePrice(price, network);
      if (!isTronAddress(asset)) {
        throw new X402Error(Reasons.invalidPaymentRequirements, `exact_gasfree: ${asset} is not a TRC-20`);
      }
      return { amount, asset: toTronAddress(asset) };
    },
    enhanceRequirements: feeEnhancer(options.fee, feeFromGasFreeKind),
    paymentRequiredExtensions(offered) {
      const validForSeconds = contextWindowSeconds(offered, options.context?.validForSeconds);
      return {
        [PAYMENT_PERMIT_CONTEXT_KEY]: createPaymentPermitContext({ ...options.context, validForSeconds }),
      };
    },
  };
}
