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
import { canonicalNetwork, type FacilitatorCall, normalizePaymentKey, type PaymentKey } from '@x402kit/core';
import { isTronAddress, tronAddressBody } from '../address.js';

/**
 * The {@link PaymentKey} of a TRON payment, or `undefined` when the call is not on a TRON network
 * or its payload is not one to identify (the scheme then refuses it on its own).
 *
 * @example
 * identifyTronPayment(call) // { network: 'tron:nile', asset: '0xeca9…', payer: '0x2c75…', nonce: 'paymentpermit:123' }
 */
export function identifyTronPayment(call: FacilitatorCall): PaymentKey | undefined {
  const network = canonicalNetwork(call.requirements.network);
  if (!network.startsWith('tron:')) return undefined;
  const payload = call.payload.payload;
  switch (call.requirements.scheme) {
    case 'exact_permit': {
      const permit = record(payload.paymentPermit);
      return key(
        network,
        record(permit?.payment)?.payToken,
        permit?.buyer,
        'paymentpermit',
        record(permit?.meta)?.nonce,
      );
    }
    case 'exact_gasfree': {
      const g2 = record(payload.gasfree);
      if (g2) return key(network, g2.token, g2.user, 'gasfree', g2.nonce);
      const permit = record(payload.paymentPermit);
      return key(
        network,
        record(permit?.payment)?.payToken,
        permit?.buyer,
        'gasfree',
        record(permit?.meta)?.nonce,
      );
    }
    default:
      return undefined;
  }
}

function key(
  network: string,
  asset: unknown,
  payer: unknown,
  space: string,
  nonce: unknown,
): PaymentKey | undefined {
  const a = address(asset);
  const p = address(payer);
  const n = decimal(nonce);
  if (a === undefined || p === undefined || n === undefined) return undefined;
  return normalizePaymentKey({ network, asset: a, payer: p, nonce: `${space}:${n}` });
}

/** `0x` hex addresses as given (the key lower-cases them); TRON ones by their 20-byte body. */
function address(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  if (/^0x[0-9a-fA-F]{40}$/.test(value)) return value;
  return isTronAddress(value) ? tronAddressBody(value) : undefined;
}

/** A uint as a canonical decimal string (JSON numbers and `0x` hex accepted). */
function decimal(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value !== 'string' || !/^(?:\d{1,78}|0x[0-9a-fA-F]{1,64})$/.test(value)) return undefined;
  return BigInt(value).toString();
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
