/**
 * The identity of an `exact` EIP-3009 payment on an EVM network: the token can consume each
 * `(from, nonce)` once, so that pair (with the network and the token) is the payment.
 */
import type { FacilitatorCall } from '@x402kit/core';
import { normalizePaymentKey, type PaymentKey } from '@x402kit/core';
import { z } from 'zod';
import { normalizeExactEvmPayload } from '../exact/payload.js';

const Eip3009Payload = z.object({
  authorization: z.object({ from: z.string().min(1), nonce: z.string().min(1) }),
});

/**
 * The {@link PaymentKey} of an `exact` EIP-3009 payment, or `undefined` for anything else
 * (another scheme or network family, a Permit2 payload, a payload without an authorization).
 *
 * @example
 * identifyExactEvm(call) // { network: 'eip155:84532', asset: '0x036c…', payer: '0xf39f…', nonce: '0x5d1c…' }
 */
export function identifyExactEvm(call: FacilitatorCall): PaymentKey | undefined {
  const { requirements } = call;
  const payload = normalizeExactEvmPayload(call.payload); // BofAI clients send the authorization in extensions
  if (requirements.scheme !== 'exact' || !requirements.network.startsWith('eip155:')) return undefined;
  if ('permit2Authorization' in payload.payload) return undefined;
  const parsed = Eip3009Payload.safeParse(payload.payload);
  if (!parsed.success) return undefined;
  const { from, nonce } = parsed.data.authorization;
  return normalizePaymentKey({
    network: requirements.network,
    asset: requirements.asset,
    payer: from,
    nonce,
  });
}
