/**
 * The resource-server side of `exact_permit` on TRON: prices in USDT/USDD (6/18 decimals), `asset`
 * and `payTo` in Base58Check as BofAI's wire carries them, the facilitator's fee in `extra.fee`, a
 * fresh `extensions.paymentPermitContext` (server-chosen nonce, payment id and window) in every 402,
 * and `checkPayment`, which refuses a permit whose context this server did not issue for the offer
 * paid, or which another permit already used.
 */
import {
  type ParsedPrice,
  type Price,
  parseUnits,
  Reasons,
  type SchemeServer,
  X402Error,
} from '@x402kit/core';
import {
  type ExactPermitFeeQuote,
  type PermitServerContextOptions,
  permitContextHooks,
} from '@x402kit/payment-permit';
import { parseTronNetwork, type TronNetwork, type TronNetworkName } from '../networks.js';
import { listTronTokens, type TronToken } from '../tokens.js';
import { tronFeeFromSupportedKind } from './fee.js';
import { readExactPermitTronPayload, readTronAddressField } from './permit-wire.js';

/**
 * Which spelling of the network id the offers carry: `name` (`tron:nile`, BofAI's, the default),
 * `hex` (`tron:0xcd8690dc`) or `decimal` (`tron:3448148188`).
 *
 * @example
 * const form: TronNetworkForm = 'hex';
 */
export type TronNetworkForm = 'name' | 'hex' | 'decimal';

/**
 * Options of {@link createExactPermitTronServer}.
 *
 * @example
 * const options: ExactPermitTronServerOptions = { networkForm: 'name', context: { validForSeconds: 600 } };
 */
export type ExactPermitTronServerOptions = PermitServerContextOptions & {
  /** Network id form of the offers; default `name`. Route config may use any form. */
  networkForm?: TronNetworkForm;
  /**
   * A configured fee quote per token (Base58 addresses); it wins over what the facilitator's
   * `/supported` advertises. Return `undefined` to use the facilitator's.
   */
  fee?: (network: TronNetworkName, asset: string) => ExactPermitFeeQuote | undefined;
  /** Tokens prices may name; default the built-in and registered ones of the network. */
  tokens?: readonly TronToken[];
  /** Symbol a `"$0.01"` price is paid in; default `USDT`. */
  dollarToken?: string;
};

const PRICE_TEXT = /^(\$)?\s*(\d+(?:\.\d+)?)(?:\s+([A-Za-z][A-Za-z0-9]*))?$/;

/**
 * Creates the server half of `exact_permit` on TRON, for `createResourceServer` from `@x402kit/core`.
 * `"$0.01"` on `tron:nile` (or `tron:0xcd8690dc`, `tron:3448148188`) is 10 000 units of Nile USDT, with
 * `extra: { name: 'Tether USD', version: '1', fee: { feeTo, feeAmount, caller } }`.
 *
 * @example
 * const server = createResourceServer({
 *   facilitators: createHttpFacilitatorClient({ url }),
 *   schemes: [{ network: 'tron:*', server: createExactPermitTronServer() }],
 * });
 */
export function createExactPermitTronServer(options: ExactPermitTronServerOptions = {}): SchemeServer {
  const form = options.networkForm ?? 'name';
  return {
    scheme: 'exact_permit',
    parsePrice(price, rawNetwork) {
      const network = requireNetwork(rawNetwork);
      const tokens = (options.tokens ?? listTronTokens(network.network)).filter(
        (t) => t.network === network.network,
      );
      return parseTronPrice(price, network, tokens, options.dollarToken ?? 'USDT');
    },
    enhanceRequirements(requirements, ctx) {
      const network = parseTronNetwork(requirements.network);
      if (!network) return requirements;
      const payTo = readTronAddressField(requirements.payTo, 'payTo');
      if (!payTo.ok) throw new X402Error(payTo.reason, `exact_permit on TRON: ${payTo.message}`);
      const asset = readTronAddressField(requirements.asset, 'asset');
      if (!asset.ok) throw new X402Error(asset.reason, `exact_permit on TRON: ${asset.message}`);
      const fee =
        options.fee?.(network.network, asset.base58) ??
        tronFeeFromSupportedKind(ctx.supportedKind, asset.base58);
      return {
        ...requirements,
        network: networkId(network, form),
        asset: asset.base58,
        payTo: payTo.base58,
        ...(fee || requirements.extra
          ? { extra: { ...requirements.extra, ...(fee ? { fee: { ...fee } } : {}) } }
          : {}),
      };
    },
    ...permitContextHooks(options, readExactPermitTronPayload, 'exact_permit on TRON'),
  };
}

/**
 * A TRON network id in the chosen form.
 *
 * @example
 * networkId(parseTronNetwork('tron:nile')!, 'decimal'); // 'tron:3448148188'
 */
export function networkId(network: TronNetwork, form: TronNetworkForm): string {
  return form === 'hex' ? network.hexId : form === 'decimal' ? network.decimalId : network.network;
}

function requireNetwork(id: string): TronNetwork {
  const network = parseTronNetwork(id);
  if (!network)
    throw new X402Error(
      Reasons.invalidNetwork,
      `exact_permit on TRON: "${id}" is not a TRON network (tron:mainnet, tron:nile, tron:shasta or their chain-id forms)`,
    );
  return network;
}

function parseTronPrice(
  price: Price,
  network: TronNetwork,
  tokens: readonly TronToken[],
  dollarToken: string,
): ParsedPrice {
  const find = (key: string) => {
    const field = readTronAddressField(key, 'price.asset');
    return tokens.find((t) =>
      field.ok ? t.address === field.base58 : t.symbol.toUpperCase() === key.toUpperCase(),
    );
  };
  if (typeof price === 'object' && price !== null) {
    const field = readTronAddressField(price.asset, 'price.asset');
    if (!field.ok) throw new X402Error(field.reason, field.message);
    const amount =
      typeof price.amount === 'bigint'
        ? price.amount
        : /^\d+$/.test(String(price.amount))
          ? BigInt(price.amount)
          : 0n;
    if (amount <= 0n) throw invalid('price.amount must be atomic units greater than zero');
    const token = find(field.base58);
    const extra = price.extra ?? (token ? { name: token.name, version: token.version } : undefined);
    return { amount, asset: field.base58, ...(extra ? { extra } : {}) };
  }
  const text =
    typeof price === 'number' && Number.isFinite(price) && price > 0 && !/e/i.test(String(price))
      ? String(price)
      : typeof price === 'string'
        ? price.trim()
        : '';
  const match = PRICE_TEXT.exec(text);
  if (!match?.[2])
    throw invalid(
      `price ${JSON.stringify(price)} is not understood: write "$0.01", "0.01 USDT" or { amount, asset }`,
    );
  const [, dollar, decimal, symbol] = match;
  if (dollar && symbol) throw invalid(`price "${text}" has both "$" and a token symbol; use one`);
  const wanted = symbol === undefined || symbol.toUpperCase() === 'USD' ? dollarToken : symbol;
  const token = find(wanted);
  if (!token) {
    const known = tokens.map((t) => t.symbol).join(', ') || 'none';
    throw invalid(
      `token ${wanted} is not known on ${network.network} (known: ${known}); use { amount, asset }`,
    );
  }
  const amount = parseUnits(decimal ?? '', token.decimals, `${token.symbol} on ${network.network}`);
  if (amount === 0n) throw invalid(`price "${text}" is zero`);
  return { amount, asset: token.address, extra: { name: token.name, version: token.version } };
}

function invalid(message: string): X402Error {
  return new X402Error(Reasons.invalidPrice, `exact_permit on TRON: ${message}`);
}
