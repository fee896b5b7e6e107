/**
 * The answers the ledger hooks give instead of the engine's: a payment used by another request
 * (`duplicate_settlement`) and a settlement still in progress (`settlement_pending`). The same
 * words are used on /verify and /settle. Module-internal to the ledger.
 */
import {
  type FacilitatorCall,
  networkForVersion,
  type PaymentKey,
  Reasons,
  type SettleResponse,
  settleRefusal,
} from '@x402kit/core';
import type { PaymentRecord } from './payment-ledger.js';

/**
 * Why another request cannot use this payment (the same words on /verify and /settle).
 *
 * @example
 * const message = refusalText(key, record, hashPayment(call.payload, call.requirements))
 */
export function refusalText(key: PaymentKey, record: PaymentRecord, hash: string): string {
  if (record.payloadHash !== hash) {
    return (
      `authorization nonce ${key.nonce} of ${key.payer} was already presented with other payment ` +
      'details (another resource or requirements); an authorization pays for one offer only'
    );
  }
  const tx = record.transaction ? ` in transaction ${record.transaction}` : '';
  if (record.state === 'settled')
    return `this payment was already settled${tx}; one payment buys one response`;
  if (record.state === 'failed') return `this payment was already used${tx} and failed; sign a new payment`;
  return `this payment is already being used by another request${tx}; one payment buys one response`;
}

/**
 * The settlement answer for a payment another request holds: `duplicate_settlement`, with the
 * first transaction when it is the same payment.
 *
 * @example
 * return settleDuplicate(call, key, record, hash)
 */
export function settleDuplicate(
  call: FacilitatorCall,
  key: PaymentKey,
  record: PaymentRecord,
  hash: string,
): { result: SettleResponse } {
  return {
    result: settleRefusal(
      Reasons.duplicateSettlement,
      refusalText(key, record, hash),
      networkForVersion(call.requirements.network, call.x402Version),
      record.payloadHash === hash ? (record.transaction ?? '') : '',
      key.payer,
    ),
  };
}

/**
 * The settlement answer while another try of the same attempt is still settling: `settlement_pending`.
 *
 * @example
 * return pendingAnswer(call, key, await ledger.get(key))
 */
export function pendingAnswer(
  call: FacilitatorCall,
  key: PaymentKey,
  record: PaymentRecord | undefined,
): { result: SettleResponse } {
  const tx = record?.transaction ?? '';
  return {
    result: {
      ...settleRefusal(
        Reasons.settlementPending,
        `the settlement of this payment is still in progress${tx ? ` (transaction ${tx})` : ''}; ` +
          'present the same payment again later',
        networkForVersion(call.requirements.network, call.x402Version),
        tx,
      ),
      payer: key.payer,
    },
  };
}

/**
 * The answer for a taken-over claim whose settlement found the authorization used: the silent
 * holder may have paid with a transaction no one recorded, so it is `settlement_pending`, not a
 * failure the chain proves; the reconciler keeps looking.
 *
 * @example
 * const answer = usedByEarlierAttempt(key, result)
 */
export function usedByEarlierAttempt(key: PaymentKey, result: SettleResponse): SettleResponse {
  return {
    ...settleRefusal(
      Reasons.settlementPending,
      `the authorization was already used (${result.errorReason}), maybe by this payment's earlier ` +
        'settlement attempt; its transaction is being looked for; present the same payment again later',
      result.network,
      '',
    ),
    payer: key.payer,
  };
}
