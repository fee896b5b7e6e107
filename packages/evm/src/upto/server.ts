/**
 * The resource-server side of `upto` on EVM: a route price is the maximum; `extra` carries
 * `assetTransferMethod: "permit2"`, the token's EIP-712 domain when it has EIP-2612, and the
 * facilitator address copied from the facilitator's `/supported` kind (deterministic per request).
 */
import { findAsset, type ParsedPrice, parsePrice, type SchemeServer } from '@x402kit/core';
import { getAddress } from 'viem';
import { isEvmAddress } from '../address.js';

/**
 * Create the server half of `upto` on EVM, for `createResourceServer` from `@x402kit/core`.
 *
 * @example
 * const server = createResourceServer({ facilitators, schemes: [{ network: 'eip155:*', server: createUptoEvmServer() }] })
 * // route: { scheme: 'upto', network: 'eip155:84532', payTo, price: '$0.01' } (the maximum)
 */
export function createUptoEvmServer(): SchemeServer {
  return {
    scheme: 'upto',
    parsePrice(price, network) {
      return withPermit2Extra(parsePrice(price, network), network, typeof price === 'object');
    },
    enhanceRequirements(requirements, ctx) {
      const facilitator = ctx.supportedKind?.extra?.facilitatorAddress;
      return {
        ...requirements,
        extra: {
          ...requirements.extra,
          assetTransferMethod: 'permit2',
          ...(isEvmAddress(facilitator) ? { facilitatorAddress: getAddress(facilitator) } : {}),
        },
      };
    },
  };
}

function withPermit2Extra(parsed: ParsedPrice, network: string, explicit: boolean): ParsedPrice {
  if (explicit) return { ...parsed, extra: parsed.extra ?? {} };
  const info = parsed.assetInfo ?? findAsset(network, parsed.asset);
  return {
    ...parsed,
    extra: {
      ...(info?.eip712 ? { name: info.eip712.name, version: info.eip712.version } : {}),
      assetTransferMethod: 'permit2',
    },
  };
}
