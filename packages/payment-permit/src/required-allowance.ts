import type { PaymentRequirements } from '@x402kit/core';

/**
 * `amount + extra.fee.feeAmount` of an `exact_permit` offer: what `PaymentPermit` pulls with
 * `transferFrom`, so the allowance the payer must have given it.
 *
 * @example requiredAllowance({ amount: '1000', extra: { fee: { feeAmount: '100' } } }) // 1100n
 */
export function requiredAllowance(requirements: Pick<PaymentRequirements, 'amount' | 'extra'>): bigint {
  const fee: unknown = requirements.extra?.fee;
  const feeAmount: unknown = typeof fee === 'object' && fee !== null ? Reflect.get(fee, 'feeAmount') : '0';
  const asText = typeof feeAmount === 'string' || typeof feeAmount === 'number' ? String(feeAmount) : '0';
  return BigInt(requirements.amount) + (/^\d+$/.test(asText) ? BigInt(asText) : 0n);
}
