/**
 * Reading the payment state of an A2A task: what its status message's metadata says under the
 * extension's keys, validated with core's wire schemas so a malformed value never passes as a
 * payment request or a receipt.
 */
import type { Message, Task } from '@a2a-js/sdk';
import {
  type AnyPaymentRequired,
  AnyPaymentRequired as PaymentRequiredSchema,
  SettleResponse,
} from '@x402kit/core';
import { PaymentMetadataKeys, type PaymentStatus, PaymentStatuses } from './x402-extension.js';

/** The payment state of a task, as its status message tells it. */
export type TaskPayment = {
  /** `x402.payment.status`, when it is one of the spec's values. */
  status: PaymentStatus | undefined;
  /** `x402.payment.required`, when present and valid. */
  required: AnyPaymentRequired | undefined;
  /** `x402.payment.receipts` (the valid ones), oldest first. */
  receipts: SettleResponse[];
  /** `x402.payment.error`. */
  error: string | undefined;
};

const STATUSES = new Set<string>(Object.values(PaymentStatuses));

/**
 * The payment state of a task (or of one message's metadata).
 *
 * @example
 * const { status, receipts } = readTaskPayment(task)
 * if (status === 'payment-completed') console.log(receipts.at(-1)?.transaction)
 */
export function readTaskPayment(source: Task | Message | Record<string, unknown> | undefined): TaskPayment {
  const metadata = metadataOf(source);
  const status = metadata[PaymentMetadataKeys.status];
  const required = PaymentRequiredSchema.safeParse(metadata[PaymentMetadataKeys.required]);
  const receipts = metadata[PaymentMetadataKeys.receipts];
  const error = metadata[PaymentMetadataKeys.error];
  return {
    status: typeof status === 'string' && STATUSES.has(status) ? (status as PaymentStatus) : undefined,
    required: required.success ? required.data : undefined,
    receipts: Array.isArray(receipts)
      ? receipts.flatMap((r) => {
          const parsed = SettleResponse.safeParse(r);
          return parsed.success ? [parsed.data] : [];
        })
      : [],
    error: typeof error === 'string' ? error : undefined,
  };
}

function metadataOf(source: Task | Message | Record<string, unknown> | undefined): Record<string, unknown> {
  if (source === undefined) return {};
  if (isTask(source)) return source.status?.message?.metadata ?? {};
  if (isMessage(source)) return source.metadata ?? {};
  return source;
}

function isTask(value: object): value is Task {
  return 'status' in value && 'artifacts' in value;
}

function isMessage(value: object): value is Message {
  return 'messageId' in value && 'parts' in value;
}
