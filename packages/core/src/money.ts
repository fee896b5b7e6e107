/**
 * Money parsing: route prices into atomic `bigint` amounts of a concrete asset. Never floats.
 *
 * Accepted: `"$0.001"`, `"0.001"`, `0.001`, `"0.5 USDT"` (a symbol registered on the network),
 * and `{ amount, asset, extra? }` (atomic units, used verbatim). Anything ambiguous is rejected
 * with reason `invalid_price`: thousands separators, exponents in strings, more decimals than the
 * asset has, negative, zero, NaN, unknown symbols.
 */

import { type AssetInfo, findAsset, getNetwork } from './networks/registry.js';
import { X402Error } from './protocol/errors.js';
import { Reasons } from './protocol/reasons.js';

/** An explicit amount of an explicit asset, in atomic units. */
export type AssetAmount = { amount: string | bigint; asset: string; extra?: Record<string, unknown> };
/** A route price. */
export type Price = string | number | AssetAmount;

/** What `parsePrice` returns. */
export type ParsedPrice = {
  amount: bigint;
  asset: string;
  /** The registry entry of the asset, when it is known. */
  assetInfo?: AssetInfo;
  extra?: Record<string, unknown>;
};

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const PRICE_TEXT = /^(\$)?\s*(\d+(?:\.\d+)?)(?:\s+([A-Za-z][A-Za-z0-9₮.]{0,15}))?$/;

/**
 * Parse a route price for `network`.
 *
 * @example
 * parsePrice('$0.001', 'eip155:84532') // { amount: 1000n, asset: '0x036C…', assetInfo: {…USDC} }
 * parsePrice('0.5 USDT', 'eip155:56')  // { amount: 500000000000000000n, asset: '0x55d3…' }
 */
export function parsePrice(price: Price, network: string): ParsedPrice {
  if (typeof price === 'object' && price !== null) return parseAssetAmount(price, network);
  let text: string;
  if (typeof price === 'number') {
    if (!Number.isFinite(price) || price <= 0)
      throw invalid(`price ${price} must be a finite number greater than zero`);
    text = numberToDecimal(price);
  } else if (typeof price === 'string') {
    text = price.trim();
  } else {
    throw invalid(`price must be a string, a number or { amount, asset }, got ${typeof price}`);
  }
  const m = PRICE_TEXT.exec(text);
  if (!m) {
    throw invalid(
      `price "${String(price)}" is not understood: write "$0.01", "0.01", 0.01, "0.5 USDT" or { amount, asset } (no separators or exponents)`,
    );
  }
  const [, dollar, decimal = '', symbol] = m;
  if (dollar && symbol) throw invalid(`price "${text}" has both "$" and a token symbol; use one`);
  const asset = resolveAsset(network, symbol);
  const amount = parseUnits(decimal, asset.decimals, `${asset.symbol} on ${network}`);
  if (amount === 0n) throw invalid(`price "${text}" is zero`);
  return {
    amount,
    asset: asset.address,
    assetInfo: asset,
    ...(asset.eip712 ? { extra: { ...asset.eip712 } } : {}),
  };
}

function parseAssetAmount(price: AssetAmount, network: string): ParsedPrice {
  if (typeof price.asset !== 'string' || price.asset.length === 0)
    throw invalid('price.asset must be a non-empty string');
  let amount: bigint;
  if (typeof price.amount === 'bigint') amount = price.amount;
  else if (typeof price.amount === 'string' && /^\d+$/.test(price.amount)) amount = BigInt(price.amount);
  else
    throw invalid(
      `price.amount must be atomic units as a decimal string or bigint, got ${JSON.stringify(price.amount)}`,
    );
  if (amount <= 0n) throw invalid('price.amount must be greater than zero');
  const assetInfo = findAsset(network, price.asset);
  return {
    amount,
    asset: price.asset,
    ...(assetInfo ? { assetInfo } : {}),
    ...(price.extra ? { extra: price.extra } : {}),
  };
}

function resolveAsset(network: string, symbol: string | undefined): AssetInfo {
  const info = getNetwork(network);
  if (!info)
    throw invalid(
      `network ${network} is not registered; price it as { amount, asset } or registerNetwork() first`,
    );
  if (symbol === undefined || symbol.toUpperCase() === 'USD') {
    if (!info.defaultAsset)
      throw invalid(`network ${network} has no default stablecoin; price it as { amount, asset }`);
    return info.defaultAsset;
  }
  const asset = findAsset(network, symbol);
  if (!asset) {
    const known = info.assets.map((a) => a.symbol).join(', ') || 'none';
    throw invalid(`token ${symbol} is not registered on ${network} (known: ${known})`);
  }
  return asset;
}

/**
 * Decimal string -> atomic bigint, exactly; rejects more fraction digits than `decimals`.
 *
 * @example parseUnits('0.001', 6) // 1000n
 */
export function parseUnits(decimal: string, decimals: number, what = 'the asset'): bigint {
  const m = DECIMAL.exec(decimal);
  if (!m) throw invalid(`"${decimal}" is not a plain decimal number`);
  const [, whole = '0', fraction = ''] = m;
  if (fraction.length > decimals) {
    throw invalid(`"${decimal}" has ${fraction.length} decimal places; ${what} has ${decimals}`);
  }
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/**
 * Atomic bigint -> decimal string without trailing zeros.
 *
 * @example formatUnits(1000n, 6) // '0.001'
 */
export function formatUnits(amount: bigint, decimals: number): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const fraction = (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** A JS number as a plain decimal string (no exponent). */
function numberToDecimal(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  // toFixed keeps up to 100 digits; trim the float noise beyond 18 decimals
  return n.toFixed(18).replace(/\.?0+$/, '');
}

function invalid(message: string): X402Error {
  return new X402Error(Reasons.invalidPrice, message);
}
