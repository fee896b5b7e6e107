/**
 * What a reconciler found on chain for one payment, and the {@link SettleResponse} the ledger
 * stores for it: `settled` with the transaction that moved the money, a final `success: false`
 * when the authorization expired unused (it can never settle), or nothing when unknown.
 */
import { networkForVersion, type SettleResponse } from '@x402kit/core';
import type { PaymentRecord } from './payment-ledger.js';
import type { StoredPayment } from './stored-payment.js';

/** One lookup's result: the settling transaction, a proven expiry, or unknown (ask again later). */
export type SettlementLookup =
  | { kind: 'settled'; transaction: string; amount: bigint }
  | { kind: 'expired'; block: bigint; timestamp: bigint }
  | { kind: 'unknown' };

/** How a scheme words its answers. */
export type SettlementWording = {
  /** The reason code of an authorization that expired unused (the scheme's own expiry reason). */
  expiredReason: string;
  /** The field that expired and its value, for the message: `deadline 1700000000`. */
  deadline: string;
  /** Answer the transferred amount (`upto`: the charge the facilitator chose). */
  withAmount?: boolean;
};

/**
 * The ledger's answer for a lookup, or `undefined` when it is unknown.
 *
 * @example
 * settlementAnswer(payment, record, payer, found, { expiredReason: 'permit2_deadline_expired', deadline: `deadline ${d}` })
 */
export function settlementAnswer(
  payment: StoredPayment,
  record: PaymentRecord,
  payer: string,
  lookup: SettlementLookup,
  wording: SettlementWording,
): SettleResponse | undefined {
  const network = networkForVersion(payment.requirements.network, payment.x402Version);
  if (lookup.kind === 'settled') {
    return {
      success: true,
      transaction: lookup.transaction,
      network,
      payer,
      ...(wording.withAmount ? { amount: lookup.amount.toString() } : {}),
    };
  }
  if (lookup.kind === 'unknown') return undefined;
  return {
    success: false,
    errorReason: wording.expiredReason,
    errorMessage:
      `the authorization expired unsettled (${wording.deadline}, block ${lookup.block} at ${lookup.timestamp}) ` +
      'and its nonce was never used: it can never settle and nothing was charged; sign a new payment',
    transaction: record.transaction ?? '',
    network,
    payer,
  };
}
