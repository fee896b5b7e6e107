/**
 * The ledger identity of a BofAI PaymentPermit payload, shared by every chain that settles one
 * (`exact_permit` on EVM and TRON, GasFree's G1 wire on TRON): the buyer's nonce of the PaymentPermit
 * contract, in the given nonce space, for the token it pays.
 */
import { namespacedPaymentKey, type PaymentKey } from '@x402kit/core';
import { isRecord } from '@x402kit/core/internal';

/**
 * The key of `paymentPermit` (the payload's `paymentPermit` field) on `network`, or `undefined`
 * when it is not a complete permit.
 *
 * @example
 * paymentPermitKey('tron:nile', payload.paymentPermit, 'paymentpermit', tronKeyAddress)
 * // { network: 'tron:nile', asset: '0xeca9…', payer: '0x2c75…', nonce: 'paymentpermit:123' }
 */
export function paymentPermitKey(
  network: string,
  paymentPermit: unknown,
  space: string,
  addressOf: (value: string) => string | undefined,
): PaymentKey | undefined {
  if (!isRecord(paymentPermit)) return undefined;
  const payment = isRecord(paymentPermit.payment) ? paymentPermit.payment : undefined;
  const meta = isRecord(paymentPermit.meta) ? paymentPermit.meta : undefined;
  return namespacedPaymentKey(
    { network, asset: payment?.payToken, payer: paymentPermit.buyer, space, nonce: meta?.nonce },
    addressOf,
  );
}
