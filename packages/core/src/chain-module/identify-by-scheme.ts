/**
 * The skeleton every chain module's `identify` shares: resolve the network's aliases, keep only the
 * module's own CAIP-2 namespace, and hand the payload to the keyer of the requirements' scheme.
 */
import type { FacilitatorCall } from '../facilitator.js';
import { canonicalNetwork } from '../networks/registry.js';
import type { PaymentKey } from './payment-key.js';

/** The ledger key of one scheme's payload on `network` (canonical), or `undefined` when incomplete. */
export type SchemePaymentKeyer = (
  payload: Record<string, unknown>,
  network: string,
  call: FacilitatorCall,
) => PaymentKey | undefined;

/**
 * The key of `call` by the keyer of its scheme, or `undefined` when its network is outside `namespace`
 * (`eip155`, `tron` ...) or no keyer serves its scheme.
 *
 * @example
 * identifyByScheme(call, 'tron', { exact_permit: (payload, network) => paymentPermitKey(network, payload.paymentPermit, 'paymentpermit', tronKeyAddress) })
 */
export function identifyByScheme(
  call: FacilitatorCall,
  namespace: string,
  keyers: Readonly<Record<string, SchemePaymentKeyer>>,
): PaymentKey | undefined {
  const network = canonicalNetwork(call.requirements.network);
  if (!network.startsWith(`${namespace}:`)) return undefined;
  const scheme = call.requirements.scheme;
  const keyer = Object.hasOwn(keyers, scheme) ? keyers[scheme] : undefined;
  return keyer?.(call.payload.payload, network, call);
}

/**
 * A `0x` address of 20 bytes as given (the key lower-cases it), else `undefined`: the address form
 * of payment keys on EVM, and of TRON payloads that carry hex addresses.
 *
 * @example hexKeyAddress('0x70997970C51812dc3A010C7d01b50e0d17dc79C8') // '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
 */
export function hexKeyAddress(value: string): string | undefined {
  return /^0x[0-9a-fA-F]{40}$/.test(value) ? value : undefined;
}
