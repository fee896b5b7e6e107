/**
 * A client's cooperative refund: ask the resource for its 402, send a `refund` payload (a zero-charge
 * voucher at the channel's charged total, optionally an `amount`) and read the `PAYMENT-RESPONSE`. A
 * corrective 402 (the server's charged total differs) is adopted and the refund signed once more.
 * Internal to the client (`BatchSettlementEvmClient.refund`).
 */
import {
  type AnyPaymentRequired,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  HeaderNames,
  type PaymentPayload,
  type PaymentRequirements,
  type SettleResponse,
  X402Error,
} from '@x402kit/core';
import { BATCH_SETTLEMENT_SCHEME } from './constants.js';
import type { RefundPayload } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';

/** Options of a cooperative refund. */
export type RefundOptions = {
  /** Refund only this atomic amount; default all of the channel's unclaimed balance. */
  amount?: string | bigint;
  /** The `fetch` to send with; default the global one. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
};

/** What the refund needs from the client. */
export type RefundSteps = {
  buildRefund(requirements: PaymentRequirements, amount: bigint | undefined): Promise<RefundPayload>;
  onSettlement(payload: PaymentPayload, settlement: SettleResponse): Promise<void>;
};

/** Send a cooperative refund request to `url`; answers the server's settlement, or throws `X402Error`. */
export async function refundChannel(
  steps: RefundSteps,
  url: string,
  options: RefundOptions = {},
): Promise<SettleResponse> {
  const send = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  const amount = options.amount === undefined ? undefined : BigInt(options.amount);
  if (amount !== undefined && amount <= 0n)
    throw refundError(`the refund amount must be positive (got ${amount})`);
  let required = await offerOf(await send(url));
  for (let attempt = 1; ; attempt++) {
    const payload: PaymentPayload = {
      x402Version: 2,
      ...(required.paymentRequired.resource ? { resource: required.paymentRequired.resource } : {}),
      accepted: required.offer,
      payload: await steps.buildRefund(required.offer, amount),
    };
    const answer = await send(url, {
      headers: { [HeaderNames.paymentSignature]: encodePaymentSignatureHeader(payload) },
    });
    const header = answer.headers.get(HeaderNames.paymentResponse);
    if (answer.status === 402 && header === null) {
      const corrected = await offerOf(answer);
      const reason = corrected.paymentRequired.error ?? 'no reason';
      if (attempt > 1 || reason !== BatchSettlementReasons.cumulativeAmountMismatch)
        throw refundError(`the server refused the refund (${reason})`);
      required = corrected;
      continue;
    }
    await answer.body?.cancel();
    if (header === null)
      throw refundError(`the answer (status ${answer.status}) carries no PAYMENT-RESPONSE`);
    const settlement = decodePaymentResponseHeader(header);
    await steps.onSettlement(payload, settlement);
    if (!settlement.success)
      throw refundError(
        `the refund failed: ${settlement.errorReason ?? 'unknown'} ${settlement.errorMessage ?? ''}`.trim(),
      );
    return settlement;
  }
}

/** The `batch-settlement` offer of a 402 answer. */
async function offerOf(
  response: Response,
): Promise<{ paymentRequired: AnyPaymentRequired & { x402Version: 2 }; offer: PaymentRequirements }> {
  const header = response.headers.get(HeaderNames.paymentRequired);
  await response.body?.cancel();
  if (response.status !== 402 || header === null)
    throw refundError(`expected a 402 with PAYMENT-REQUIRED, got status ${response.status}`);
  const paymentRequired = decodePaymentRequiredHeader(header);
  if (paymentRequired.x402Version !== 2) throw refundError('the 402 is not x402 v2');
  const offer = paymentRequired.accepts.find((a) => a.scheme === BATCH_SETTLEMENT_SCHEME);
  if (!offer) throw refundError(`the 402 offers no ${BATCH_SETTLEMENT_SCHEME}`);
  return { paymentRequired, offer };
}

function refundError(message: string): X402Error {
  return new X402Error(BatchSettlementReasons.clientRefundFailed, `batch-settlement refund: ${message}`);
}
