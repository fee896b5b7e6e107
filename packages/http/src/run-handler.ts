/**
 * Running the handler of a paid route with its output held back: its response buffered and its
 * `Settlement-Overrides` header taken off. After the handler, an error status (>= 400) or an
 * unreadable override releases the payment instead of settling it.
 */
import { findAsset, HeaderNames, type PaymentRequirements, type SettleResponse } from '@x402kit/core';
import { type BufferedResponse, bufferResponse, isBufferedResponse } from './buffered-response.js';
import {
  type Call,
  type HeldOutput,
  internalError,
  type PaymentFlow,
  type PaymentResult,
  type RunHandler,
} from './payment-flow.js';
import { parseSettlementOverrides, resolveSettlementAmount } from './settlement-overrides.js';

/**
 * Run the handler of a verified payment: the output to settle (with the amount its overrides
 * asked), or the result to send without settling.
 *
 * @example
 * const ran = await runPaidHandler(flow, call, run)
 * if ('type' in ran) return ran
 */
export async function runPaidHandler(
  flow: PaymentFlow,
  call: Call,
  run: RunHandler,
): Promise<HeldOutput | PaymentResult> {
  const { route, payload, requirements, resource, attempt } = call;
  const response = await buffered(run);
  const overrides = response.headers.get(HeaderNames.settlementOverrides);
  response.headers.delete(HeaderNames.settlementOverrides);
  if (response.status >= 400) {
    flow.emit('info', `handler answered ${response.status}; payment not settled`, { route: route.key });
    await flow.server.release(payload, requirements, { resource, attempt });
    return { type: 'response', response };
  }
  if (overrides === null) return { response };
  let amount: string | undefined;
  try {
    amount = overrideAmount(flow, overrides, requirements);
  } catch (error) {
    await flow.server.release(payload, requirements, { resource, attempt });
    return { type: 'reply', reply: internalError(flow, error, 'invalid Settlement-Overrides header', route) };
  }
  return { response, ...(amount === undefined ? {} : { amount }) };
}

/**
 * Run the handler of a payment that already settled (`settle: 'before-handler'`): its response,
 * whatever its status (an error status is logged: the money moved).
 *
 * @example
 * return paidResponse(flow, call, await runSettledHandler(flow, call, run, settlement), settlement)
 */
export async function runSettledHandler(
  flow: PaymentFlow,
  call: Call,
  run: RunHandler,
  settlement: SettleResponse,
): Promise<BufferedResponse> {
  const response = await buffered(run);
  response.headers.delete(HeaderNames.settlementOverrides);
  if (response.status >= 400) {
    flow.emit('warn', `handler answered ${response.status} after the payment settled`, {
      route: call.route.key,
      transaction: settlement.transaction,
    });
  }
  return response;
}

async function buffered(run: RunHandler): Promise<BufferedResponse> {
  const out = await run();
  return isBufferedResponse(out) ? out : bufferResponse(out);
}

function overrideAmount(
  flow: PaymentFlow,
  header: string,
  requirements: PaymentRequirements,
): string | undefined {
  const parsed = parseSettlementOverrides(header);
  if (parsed.amount === undefined) return undefined;
  const decimals =
    flow.assetDecimals?.(requirements) ?? findAsset(requirements.network, requirements.asset)?.decimals;
  return resolveSettlementAmount(parsed.amount, requirements.amount, decimals);
}
