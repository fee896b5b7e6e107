/**
 * The facilitator fee of `exact_permit` on TRON: the flat fee table, the quote a server puts in
 * `requirements.extra.fee` and the `extra` a facilitator advertises in `/supported`, all with
 * Base58Check addresses (the TRON wire form).
 */
import type { SupportedKind } from '@x402kit/core';
import { type ExactPermitFeeQuote, feeFromKindExtra, feeTableAmount } from '@x402kit/payment-permit';
import { isTronAddress, toTronAddress, tronAddresses } from '../address.js';
import { parseTronNetwork, type TronNetworkName } from '../networks.js';
import { ExactPermitTronConfigError } from './config-error.js';

/**
 * The fee for one token: where it goes (Base58) and how much (atomic units).
 *
 * @example
 * const fee: ExactPermitTronFee = { feeTo: 'TEdvoHEatmDKvTh3o9vBRB9Vdtbhn4QFhy', amount: 100n };
 */
export type ExactPermitTronFee = { feeTo: string; amount: bigint };

/**
 * A fee policy: the fee for `asset` (Base58) on a canonical network, or `undefined` when not served.
 *
 * @example
 * const fees: ExactPermitTronFeeSource = (network, asset) => ({ feeTo: 'T…', amount: 100n });
 */
export type ExactPermitTronFeeSource = (
  network: TronNetworkName,
  asset: string,
) => ExactPermitTronFee | undefined;

/**
 * A flat fee table: network (any id form) → token (any address form) → fee. `feeTo` defaults to the
 * facilitator's first signer.
 *
 * @example
 * const table: ExactPermitTronFeeTable = { 'tron:nile': { TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf: { amount: '100' } } };
 */
export type ExactPermitTronFeeTable = Record<
  string,
  Record<string, { feeTo?: string; amount: string | bigint }>
>;

/**
 * `extra` of the TRON `exact_permit` kind in `/supported` (addresses Base58, `fees` keyed by token Base58).
 *
 * @example
 * const extra: ExactPermitTronKindExtra = { caller: 'T…', feeTo: 'T…', pricing: 'flat', fees: { 'TXYZ…': { feeTo: 'T…', feeAmount: '100' } } };
 */
export type ExactPermitTronKindExtra = {
  caller: string;
  feeTo: string;
  pricing: 'flat';
  fees: Record<string, { feeTo: string; feeAmount: string }>;
};

/** A parsed fee table: the source and the tokens it lists per network. */
export type ParsedTronFeeTable = {
  source: ExactPermitTronFeeSource;
  assets(network: TronNetworkName): string[];
};

/**
 * Parses a flat fee table once, at the edge: networks canonicalized, addresses Base58, amounts bigint.
 *
 * @throws {ExactPermitTronConfigError} naming the entry at fault.
 * @example
 * const { source } = parseTronFeeTable({ 'tron:0xcd8690dc': { TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf: { amount: '100' } } }, feeTo);
 * source('tron:nile', 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf'); // { feeTo, amount: 100n }
 */
export function parseTronFeeTable(table: ExactPermitTronFeeTable, defaultFeeTo: string): ParsedTronFeeTable {
  const parsed = new Map<string, ExactPermitTronFee>();
  const byNetwork = new Map<TronNetworkName, string[]>();
  for (const [rawNetwork, tokens] of Object.entries(table ?? {})) {
    const network = parseTronNetwork(rawNetwork)?.network;
    if (!network) throw new ExactPermitTronConfigError(`fees["${rawNetwork}"]`, 'is not a TRON network id');
    for (const [asset, fee] of Object.entries(tokens ?? {})) {
      const path = `fees["${rawNetwork}"]["${asset}"]`;
      if (!isTronAddress(asset))
        throw new ExactPermitTronConfigError(path, 'the key must be a token address');
      if (fee.feeTo !== undefined && !isTronAddress(fee.feeTo))
        throw new ExactPermitTronConfigError(`${path}.feeTo`, 'is not a TRON address');
      const amount = feeTableAmount(fee.amount);
      if (amount === undefined)
        throw new ExactPermitTronConfigError(`${path}.amount`, 'must be atomic units as a decimal string');
      const token = toTronAddress(asset);
      parsed.set(`${network}|${token}`, { feeTo: toTronAddress(fee.feeTo ?? defaultFeeTo), amount });
      byNetwork.set(network, [...(byNetwork.get(network) ?? []), token]);
    }
  }
  return {
    source: (network, asset) =>
      isTronAddress(asset) ? parsed.get(`${network}|${toTronAddress(asset)}`) : undefined,
    assets: (network) => [...(byNetwork.get(network) ?? [])],
  };
}

/**
 * The fee quote for `asset` (any address form) from a TRON `/supported` kind of our facilitator, if any.
 *
 * @example
 * tronFeeFromSupportedKind(kind, 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf'); // { feeTo: 'T…', feeAmount: '100', caller: 'T…' }
 */
export function tronFeeFromSupportedKind(
  kind: SupportedKind | undefined,
  asset: string,
): ExactPermitFeeQuote | undefined {
  if (!isTronAddress(asset)) return undefined;
  return feeFromKindExtra(kind?.extra, toTronAddress(asset), tronAddresses);
}
