/**
 * x402 v1 <-> v2 normalization. Engines convert v1 documents to the v2 shapes at the edge so
 * schemes see one model, and convert answers back for v1 peers.
 */
import { toCaip2, toV1Name } from '../networks/registry.js';
import type { PaymentRequirements, PaymentRequirementsV1, ResourceInfo } from './schemas.js';

/**
 * v1 requirement -> v2 requirement (network as CAIP-2, `amount` from `maxAmountRequired`).
 *
 * @example
 * ```ts
 * requirementsFromV1(v1).network // 'eip155:84532' for a v1 'base-sepolia' offer
 * ```
 */
export function requirementsFromV1(r: PaymentRequirementsV1): PaymentRequirements {
  return {
    scheme: r.scheme,
    network: toCaip2(r.network) ?? r.network,
    amount: r.maxAmountRequired,
    asset: r.asset,
    payTo: r.payTo,
    maxTimeoutSeconds: r.maxTimeoutSeconds,
    extra: r.extra ?? {},
  };
}

/**
 * v2 requirement -> v1 requirement for a v1 peer. Returns undefined when the network has no
 * v1 name (v1 cannot express it).
 *
 * @example
 * ```ts
 * const v1 = requirementsToV1(requirements, { url: 'https://api.example.com/weather' });
 * ```
 */
export function requirementsToV1(
  r: PaymentRequirements,
  resource: ResourceInfo,
): PaymentRequirementsV1 | undefined {
  const network = toV1Name(r.network);
  if (!network) return undefined;
  return {
    scheme: r.scheme,
    network,
    maxAmountRequired: r.amount,
    resource: resource.url,
    description: resource.description ?? '',
    mimeType: resource.mimeType ?? '',
    payTo: r.payTo,
    maxTimeoutSeconds: r.maxTimeoutSeconds,
    asset: r.asset,
    extra: r.extra ?? {},
  };
}

/**
 * The network name to put in a response for a peer of this version.
 *
 * @example
 * ```ts
 * networkForVersion('eip155:84532', 1) // 'base-sepolia'
 * ```
 */
export function networkForVersion(network: string, x402Version: 1 | 2): string {
  return x402Version === 1 ? (toV1Name(network) ?? network) : (toCaip2(network) ?? network);
}
