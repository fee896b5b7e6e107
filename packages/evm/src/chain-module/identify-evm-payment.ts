/**
 * The identity of an EVM payment, so the ledger claims each one before broadcast and answers a
 * second `/settle` with the first outcome:
 *
 * | scheme / payload                       | payer        | nonce (namespaced)         | asset            |
 * |----------------------------------------|--------------|----------------------------|------------------|
 * | `exact` EIP-3009                       | `from`       | the bytes32 nonce          | requirements     |
 * | `exact` / `upto` via Permit2           | `from`       | `permit2:<n>`              | permitted token  |
 * | `exact_permit`                         | `buyer`      | `paymentpermit:<n>`        | `payToken`       |
 * | `batch-settlement` (see `batchPaymentKey`) | payer / authorizer | `batch3009:`, `permit2:`, `batchrefund:`, `batchclaim:` | channel token |
 *
 * Nonces are namespaced because each contract keeps its own nonce space: Permit2 nonce 5 and
 * PaymentPermit nonce 5 of one payer are two payments. Networks are resolved from aliases, so a
 * payment presented under its v1 name is still the same payment.
 */
import { canonicalNetwork, type FacilitatorCall, namespacedPaymentKey, type PaymentKey } from '@x402kit/core';
import { hexKeyAddress, identifyByScheme, isRecord, type SchemePaymentKeyer } from '@x402kit/core/internal';
import { paymentPermitKey } from '@x402kit/payment-permit';
import { batchPaymentKey } from '../batch-settlement/facilitator-payment-key.js';
import { identifyExactEvm } from './identify-exact-evm.js';

/**
 * The {@link PaymentKey} of an EVM payment, or `undefined` when the network is not `eip155:*` or
 * the payload is not one it can identify (the scheme then refuses it on its own).
 *
 * @example
 * identifyEvmPayment(call) // { network: 'eip155:84532', asset: '0x036c…', payer: '0x7099…', nonce: 'permit2:5' }
 */
export function identifyEvmPayment(call: FacilitatorCall): PaymentKey | undefined {
  return identifyByScheme(call, 'eip155', EVM_KEYERS);
}

/** `exact` and `upto` through Permit2 by its nonce; `exact` by EIP-3009's otherwise. */
const permit2OrExact: SchemePaymentKeyer = (payload, network, call) => {
  const permit2 = payload.permit2Authorization;
  if (isRecord(permit2)) {
    const permitted = isRecord(permit2.permitted) ? permit2.permitted : undefined;
    return namespacedPaymentKey(
      { network, asset: permitted?.token, payer: permit2.from, space: 'permit2', nonce: permit2.nonce },
      hexKeyAddress,
    );
  }
  if (call.requirements.scheme !== 'exact') return undefined;
  const evm = identifyExactEvm(call);
  return evm ? { ...evm, network: canonicalNetwork(evm.network) } : undefined;
};

const EVM_KEYERS: Record<string, SchemePaymentKeyer> = {
  exact: permit2OrExact,
  upto: permit2OrExact,
  exact_permit: (payload, network) =>
    paymentPermitKey(network, payload.paymentPermit, 'paymentpermit', hexKeyAddress),
  'batch-settlement': (payload, network) => batchPaymentKey(payload, network),
};
