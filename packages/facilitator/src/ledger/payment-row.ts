/**
 * Rows of `payments` as both drivers return them (pg gives `BIGINT` as a string, libsql as a
 * number), validated and turned into {@link PaymentRecord}s.
 */
import { SettleResponse, X402Error } from '@x402kit/core';
import { z } from 'zod';
import { epochMs, parseRow } from '../db/rows.js';
import { FacilitatorReasons } from '../facilitator-reasons.js';
import type { PaymentRecord, UnresolvedPayment } from './payment-ledger.js';

const PaymentRow = z.object({
  network: z.string(),
  asset: z.string(),
  payer: z.string(),
  nonce: z.string(),
  state: z.enum(['reserved', 'claimed', 'broadcast', 'settled', 'failed', 'pending']),
  payload_hash: z.string(),
  tx_hash: z.string().nullable(),
  outcome: z.string().nullable(),
  owner: z.string(),
  created_at: epochMs,
  updated_at: epochMs,
  attempt: z.string().nullable().optional(),
  expires_at: epochMs.nullable().optional(),
  principal: z.string().nullable().optional(),
});

/**
 * Thrown when a stored row is not a payment (a corrupted or foreign table); reason `invalid_ledger_row`.
 *
 * @example
 * try { toPaymentRecord(row) } catch (e) { if (e instanceof LedgerRowError) console.error('check the payments table', e.message) }
 */
export class LedgerRowError extends X402Error {
  override name = 'LedgerRowError';

  constructor(message: string) {
    super(FacilitatorReasons.ledgerRow, message);
  }
}

/**
 * Validate one row of `payments`.
 *
 * @example toPaymentRecord(db.prepare('SELECT … FROM payments WHERE …').get(…))
 */
export function toPaymentRecord(row: unknown): PaymentRecord {
  const r = parseRow(PaymentRow, row, (issues) => new LedgerRowError(`not a payment row: ${issues}`));
  const record: PaymentRecord = {
    key: { network: r.network, asset: r.asset, payer: r.payer, nonce: r.nonce },
    state: r.state,
    payloadHash: r.payload_hash,
    owner: r.owner,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.tx_hash) record.transaction = r.tx_hash;
  if (r.attempt) record.attempt = r.attempt;
  if (r.expires_at !== null && r.expires_at !== undefined) record.expiresAt = r.expires_at;
  if (r.principal) record.principal = r.principal;
  if (r.outcome !== null) record.outcome = parseOutcome(r.outcome);
  return record;
}

/**
 * A row read with its `payment` column, as {@link UnresolvedPayment}.
 *
 * @example toUnresolvedPayment({ ...row, payment: '{"x402Version":2,…}' })
 */
export function toUnresolvedPayment(row: unknown): UnresolvedPayment {
  const payment = typeof row === 'object' && row !== null ? Reflect.get(row, 'payment') : undefined;
  return { record: toPaymentRecord(row), payment: typeof payment === 'string' ? payment : undefined };
}

function parseOutcome(text: string): SettleResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LedgerRowError(`stored outcome is not JSON: ${String(error)}`);
  }
  const parsed = SettleResponse.safeParse(json);
  if (!parsed.success)
    throw new LedgerRowError(`stored outcome is not a SettleResponse: ${parsed.error.message}`);
  return parsed.data;
}
