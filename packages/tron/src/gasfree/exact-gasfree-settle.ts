/**
 * Following a submitted GasFree transfer to an x402 settle answer: success with the TRON transaction id,
 * `gasfree_transfer_failed`, or `settlement_pending` with the trace id and any hash seen, never losing a
 * transfer that may still land (`data: null` and transient API errors are polled through until the deadline).
 */
import { type SettleResponse, settleRefusal } from '@x402kit/core';
import { ExactGasFreeReasons } from './exact-gasfree-reasons.js';
import type { ExactGasFreeNetwork } from './exact-gasfree-verify.js';
import type { GasFreeTransfer } from './gasfree-api-types.js';
import { GasFreeError, GasFreeReasons } from './gasfree-error.js';

/** A transfer the facilitator submitted (kept so the same permit is never submitted twice). */
export interface SettleRecord {
  traceId: string;
  network: string;
  payer: string;
  net: Pick<ExactGasFreeNetwork, 'api'>;
  /** Set once the transfer reached a terminal answer. */
  final?: SettleResponse;
  /** The first transaction hash seen. */
  txnHash?: string;
}

/**
 * A GasFree `txnHash` in TRON's transaction-id form: 64 lowercase hex digits without `0x`.
 *
 * @example
 * tronTransactionId('0xAB…'); // 'ab…'
 */
export function tronTransactionId(hash: string): string {
  return hash.replace(/^0x/i, '').toLowerCase();
}

/**
 * Polls the transfer until it is terminal or `timeoutMs` passes, and answers like a settle.
 *
 * @example
 * const answer = await followGasFreeTransfer(record, { timeoutMs: 120_000, pollMs: 2_000 });
 * if (answer.errorReason === 'settlement_pending') console.log('check again later', answer.transaction);
 */
export async function followGasFreeTransfer(
  record: SettleRecord,
  options: { timeoutMs: number; pollMs: number; onBroadcast?: (transaction: string) => Promise<void> | void },
): Promise<SettleResponse> {
  if (record.final) return record.final;
  const { network, payer, traceId } = record;
  const seen = (status: GasFreeTransfer | null) => {
    if (status?.txnHash && record.txnHash === undefined) {
      record.txnHash = tronTransactionId(status.txnHash);
      void Promise.resolve(options.onBroadcast?.(record.txnHash)).catch(() => undefined);
    }
  };
  try {
    const done = await record.net.api.waitForTransfer(traceId, {
      timeoutMs: options.timeoutMs,
      pollMs: options.pollMs,
      maxConsecutiveErrors: Number.MAX_SAFE_INTEGER,
      onPoll: seen,
    });
    seen(done);
    record.final = {
      success: true,
      transaction: record.txnHash ?? traceId,
      network,
      payer,
      extensions: { exact_gasfree: { traceId } },
    };
    return record.final;
  } catch (error) {
    const lastStatus = error instanceof GasFreeError ? error.details?.lastStatus : undefined;
    if (lastStatus && typeof lastStatus === 'object' && 'id' in lastStatus)
      seen(lastStatus as GasFreeTransfer);
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof GasFreeError && error.reason === GasFreeReasons.transferFailed) {
      record.final = settleRefusal(
        ExactGasFreeReasons.transferFailed,
        message,
        network,
        record.txnHash ?? '',
        payer,
      );
      return record.final;
    }
    return {
      ...settleRefusal(
        ExactGasFreeReasons.settlementPending,
        `exact_gasfree: transfer ${traceId} accepted but not confirmed yet (${message}); settle the same payment again to re-check`,
        network,
        record.txnHash ?? traceId,
        payer,
      ),
      extensions: { exact_gasfree: { traceId } },
    };
  }
}
