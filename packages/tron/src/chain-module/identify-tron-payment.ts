/**
 * The ledger identity of a TRON payment, so the ledger claims each one before broadcast and
 * answers a second `/settle` with the first outcome:
 *
 * | scheme / payload                 | payer    | nonce (namespaced)  | asset      |
 * |----------------------------------|----------|---------------------|------------|
 * | `exact_permit`                   | `buyer`  | `paymentpermit:<n>` | `payToken` |
 * | `exact_gasfree` (G1 and G2 wire) | the user | `gasfree:<n>`       | the token  |
 *
 * Nonces are namespaced because each contract keeps its own nonce space. Networks are resolved from
 * aliases (`tron:3448148188` is `tron:nile`) and TRON addresses keyed by their 20-byte body, so a
 * payment presented under another spelling is still the same payment. `exact_permit` on `eip155:*`
 * is the EVM module's.
 */
import { type FacilitatorCall, namespacedPaymentKey, type PaymentKey } from '@x402kit/core';
import { hexKeyAddress, identifyByScheme, isRecord, type SchemePaymentKeyer } from '@x402kit/core/internal';
import { paymentPermitKey } from '@x402kit/payment-permit';
import { isTronAddress, tronAddressBody } from '../address.js';

/**
 * The {@link PaymentKey} of a TRON payment, or `undefined` when the call is not on a TRON network
 * or its payload is not one to identify (the scheme then refuses it on its own).
 *
 * @example
 * identifyTronPayment(call) // { network: 'tron:nile', asset: '0xeca9…', payer: '0x2c75…', nonce: 'paymentpermit:123' }
 */
export function identifyTronPayment(call: FacilitatorCall): PaymentKey | undefined {
  return identifyByScheme(call, 'tron', TRON_KEYERS);
}

const TRON_KEYERS: Record<string, SchemePaymentKeyer> = {
  exact_permit: (payload, network) =>
    paymentPermitKey(network, payload.paymentPermit, 'paymentpermit', tronKeyAddress),
  exact_gasfree: (payload, network) => {
    const g2 = payload.gasfree;
    if (!isRecord(g2)) return paymentPermitKey(network, payload.paymentPermit, 'gasfree', tronKeyAddress);
    return namespacedPaymentKey(
      { network, asset: g2.token, payer: g2.user, space: 'gasfree', nonce: g2.nonce },
      tronKeyAddress,
    );
  },
};

/** `0x` hex addresses as given (the key lower-cases them); TRON ones by their 20-byte body. */
function tronKeyAddress(value: string): string | undefined {
  return hexKeyAddress(value) ?? (isTronAddress(value) ? tronAddressBody(value) : undefined);
}
