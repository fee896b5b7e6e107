/**
 * The identity of an EVM payment, so the ledger claims each one before broadcast and answers a
 * second `/settle` with the first outcome:
 *
 * | scheme / payload                       | payer        | nonce (namespaced)         | asset            |
 * |----------------------------------------|--------------|----------------------------|------------------|
 * | `exact` EIP-3009                       | `from`       | the bytes32 nonce          | requirements     |
 * | `exact` / `upto` via Permit2           | `from`       | `permit2:<n>`              | permitted token  |
 * | `exact_permit`                         | `buyer`      | `paymentpermit:<n>`        | `payToken`       |
 *
 * Nonces are namespaced because each contract keeps its own nonce space: Permit2 nonce 5 and
 * PaymentPermit nonce 5 of one payer are two payments. Networks are resolved from aliases, so a
 * payment presented under its v1 name is still the same payment.
 */
import {
  canonicalNetwork,
  type FacilitatorCall,
  isRecord,
  normalizePaymentKey,
  type PaymentKey,
} from '@x402kit/core';
import { identifyExactEvm } from './identify-exact-evm.js';

/**
 * The {@link PaymentKey} of an EVM payment, or `undefined` when the network is not `eip155:*` or
 * the payload is not one it can identify (the scheme then refuses it on its own).
 *
 * @example
 * identifyEvmPayment(call) // { network: 'eip155:84532', asset: '0x036c…', payer: '0x7099…', nonce: 'permit2:5' }
 */
export function identifyEvmPayment(call: FacilitatorCall): PaymentKey | undefined {
  const network = canonicalNetwork(call.requirements.network);
  if (!network.startsWith('eip155:')) return undefined;
  const payload = call.payload.payload;
  switch (call.requirements.scheme) {
    case 'exact':
    case 'upto': {
      const permit2 = record(payload.permit2Authorization);
      if (permit2) {
        return key(network, record(permit2.permitted)?.token, permit2.from, 'permit2', permit2.nonce);
      }
      if (call.requirements.scheme !== 'exact') return undefined;
      const evm = identifyExactEvm(call);
      return evm ? { ...evm, network: canonicalNetwork(evm.network) } : undefined;
    }
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

/** EVM addresses as given (the key lower-cases them). */
function address(value: unknown): string | undefined {
  return typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value) ? value : undefined;
}

/** A uint as a canonical decimal string (JSON numbers and `0x` hex accepted). */
function decimal(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value !== 'string' || !/^(?:\d{1,78}|0x[0-9a-fA-F]{1,64})$/.test(value)) return undefined;
  return BigInt(value).toString();
}

function record(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}
