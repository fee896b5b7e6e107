import { PAYMENT_PERMIT_ADDRESSES } from '@x402kit/payment-permit';
import { type Address, getAddress } from 'viem';

/**
 * The `PaymentPermit` address on an EVM `network`, checksummed: the override when given, else the
 * known deployment ({@link PAYMENT_PERMIT_ADDRESSES}).
 *
 * @example paymentPermitAddress('eip155:97') // '0x1825bB32db3443dEc2cc7508b2D818fc13EaD878'
 */
export function paymentPermitAddress(
  network: string,
  overrides?: Readonly<Record<string, string>>,
): Address | undefined {
  const value = overrides?.[network] ?? PAYMENT_PERMIT_ADDRESSES[network];
  return value === undefined ? undefined : getAddress(value);
}
