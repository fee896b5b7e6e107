/**
 * The `allowedAssets` option of the TRON facilitator schemes (`exact_permit`, `exact_gasfree`):
 * token lists keyed by TRON network id in any form, checked once when the scheme is created.
 */
import { isTronAddress } from './address.js';
import { parseTronNetwork, type TronNetworkName } from './networks.js';

/** Builds a scheme's own configuration error for the option at `path`. */
export type TronConfigErrorFactory = (path: string, problem: string) => Error;

/**
 * `allowedAssets` by canonical network name, each token in the form `normalize` gives (the one its
 * scheme compares in), or `undefined` when the option is not set. A key that is not a TRON network id
 * or a token that is not a TRON address throws `configError(path, problem)`.
 *
 * @example
 * const allowed = parseTronAllowedAssets(
 *   { 'tron:0xcd8690dc': ['TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf'] },
 *   toTronAddress,
 *   (path, problem) => new ExactPermitTronConfigError(path, problem),
 * );
 * allowed?.get('tron:nile')?.has('TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf'); // true
 */
export function parseTronAllowedAssets(
  value: Record<string, readonly string[]> | undefined,
  normalize: (address: string) => string,
  configError: TronConfigErrorFactory,
): Map<TronNetworkName, Set<string>> | undefined {
  if (value === undefined) return undefined;
  const out = new Map<TronNetworkName, Set<string>>();
  for (const [id, list] of Object.entries(value)) {
    const network = parseTronNetwork(id)?.network;
    if (!network) throw configError(`allowedAssets["${id}"]`, 'is not a TRON network id');
    list.forEach((asset, i) => {
      if (!isTronAddress(asset)) throw configError(`allowedAssets["${id}"][${i}]`, 'is not a TRON address');
    });
    out.set(network, new Set(list.map((a) => normalize(a))));
  }
  return out;
}
