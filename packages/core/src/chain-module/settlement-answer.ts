/**
 * What a reconciler found on chain for one payment, and the {@link SettleResponse} the ledger
 * stores for it: `settled` with the transaction that moved the money, a final `success: false`
 * when the authorization expired unused (it can never settle), or nothing when unknown.
 */

import type { SettleResponse } from '../protocol/schemas.js';
import { networkForVersion } from '../protocol/v1.js';
import type { PaymentKey } from './payment-key.js';
import type { StoredPayment } from './stored-payment.js';

/** What a reconciler is told of a ledger row: the payment's key and the transaction sent for it, if any. */
export type ReconcileRecord = {
  key: PaymentKey;
  /** The settlement transaction recorded before the outcome was known. */
  transaction?: string | undefined;
};

/**
 * Look up on chain how a payment whose outcome the ledger does not know ended: the answer to store
 * (settled, or a final refusal such as an expired authorization), or `undefined` while it is unknown
 * or not this reconciler's scheme.
 */
export type Reconcile = (
  payment: StoredPayment,
  record: ReconcileRecord,
) => Promise<SettleResponse | undefined>;

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
  record: ReconcileRecord,
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
