/**
 * The resource-server side of `exact_permit` on EVM (BSC): prices in BSC USDT/USDC, the
 * facilitator's fee in `extra.fee`, a fresh `extensions.paymentPermitContext` (server-chosen
 * nonce, payment id and window) in every 402, and `checkPayment`, which refuses a permit whose
 * context this server did not issue for the offer paid, or which another permit already used.
 */
import {
  type ParsedPrice,
  type Price,
  parsePrice,
  parseUnits,
  Reasons,
  type SchemeServer,
  toCaip2,
  X402Error,
} from '@x402kit/core';
import {
  type ExactPermitFeeQuote,
  feeEnhancer,
  type PermitServerContextOptions,
  permitContextHooks,
  readExactPermitPayload,
} from '@x402kit/payment-permit';
import { feeFromSupportedKind } from './fee.js';
import { paymentPermitAddress } from './payment-permit-address.js';
import { EXACT_PERMIT_TOKENS, type ExactPermitToken, findExactPermitToken } from './tokens.js';

/** Options of `createExactPermitEvmServer`. */
export type ExactPermitEvmServerOptions = PermitServerContextOptions & {
  /** `PaymentPermit` per network, over the known deployments (BSC 56 and 97). */
  paymentPermitAddress?: Readonly<Record<string, string>>;
  /**
   * A configured fee quote per token; it wins over what the facilitator's `/supported` advertises.
   * Return `undefined` to use the facilitator's.
   */
  fee?: (network: string, asset: string) => ExactPermitFeeQuote | undefined;
  /** Tokens that `"0.01 USDT"` prices resolve to and whose `extra.name/version` are added. */
  tokens?: readonly ExactPermitToken[];
};

/**
 * Create the server half of `exact_permit` on EVM, for `createResourceServer` from `@x402kit/core`.
 * `"$0.01"` on `eip155:97` is 10^16 units of BSC-testnet USDT (18 decimals), with
 * `extra: { name: 'Tether USD', version: '1', fee: { feeTo, feeAmount, caller } }`.
 *
 * @example
 * const server = createResourceServer({
 *   facilitators: createHttpFacilitatorClient({ url }),
 *   schemes: [{ network: 'eip155:*', server: createExactPermitEvmServer() }],
 * })
 */
export function createExactPermitEvmServer(options: ExactPermitEvmServerOptions = {}): SchemeServer {
  const tokens = options.tokens ?? EXACT_PERMIT_TOKENS;
  return {
    scheme: 'exact_permit',
    parsePrice(price, rawNetwork) {
      const network = toCaip2(rawNetwork) ?? rawNetwork;
      if (!paymentPermitAddress(network, options.paymentPermitAddress)) {
        throw new X402Error(
          Reasons.invalidPaymentRequirements,
          `exact_permit: no PaymentPermit contract is known on ${network}; pass paymentPermitAddress for it`,
        );
      }
      // the registry's transfer method (permit2/eip3009) is not ours: keep amount, asset, extra
      const { amount, asset, extra } = parseWithTokens(price, network, tokens);
      const token = findExactPermitToken(network, asset, tokens);
      if (extra || !token) return { amount, asset, ...(extra ? { extra } : {}) };
      return { amount, asset, extra: { name: token.name, version: token.version } };
    },
    enhanceRequirements: feeEnhancer(options.fee, feeFromSupportedKind),
    ...permitContextHooks(options, readExactPermitPayload, 'exact_permit'),
  };
}

function parseWithTokens(price: Price, network: string, tokens: readonly ExactPermitToken[]): ParsedPrice {
  if (typeof price === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s+([A-Za-z][A-Za-z0-9]*)\s*$/.exec(price);
    const token = match?.[2] ? findExactPermitToken(network, match[2], tokens) : undefined;
    if (match?.[1] && token) {
      const amount = parseUnits(match[1], token.decimals, `${token.symbol} on ${network}`);
      if (amount === 0n) throw new X402Error(Reasons.invalidPrice, `price "${price}" is zero`);
      return { amount, asset: token.address };
    }
  }
  return parsePrice(price, network);
}
