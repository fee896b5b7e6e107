import { parseTronNetwork, type TronNetwork, X402Error } from '@x402kit/core';
import { TronReasons } from './reasons.js';

// The TRON network table (ids, chain ids, forms) has its one home in @x402kit/core; these names stay
// exported from here.
export {
  canonicalTronNetwork,
  isTronNetwork,
  parseTronNetwork,
  sameTronNetwork,
  TRON_NETWORKS,
  type TronNetwork,
  type TronNetworkName,
} from '@x402kit/core';

/**
 * A network id that is not one of the known TRON networks, in any form.
 *
 * @example
 * try { requireTronNetwork('tron:1') } catch (e) { if (e instanceof TronNetworkError) console.log(e.reason) }
 */
export class TronNetworkError extends X402Error {
  override name = 'TronNetworkError';
  declare readonly reason: typeof TronReasons.unknownNetwork;

  constructor(id: unknown) {
    const shown = typeof id === 'string' ? id.slice(0, 60) : typeof id;
    super(
      TronReasons.unknownNetwork,
      `"${shown}" is not a known TRON network: use tron:mainnet, tron:nile or tron:shasta (or their hex/decimal chain-id forms)`,
    );
  }
}

/**
 * Like {@link parseTronNetwork} but throws {@link TronNetworkError} (`unknown_tron_network`) instead of
 * returning `undefined`.
 *
 * @example
 * requireTronNetwork('tron:nile').chainId; // 3448148188
 */
export function requireTronNetwork(id: unknown): TronNetwork {
  const network = parseTronNetwork(id);
  if (!network) throw new TronNetworkError(id);
  return network;
}
