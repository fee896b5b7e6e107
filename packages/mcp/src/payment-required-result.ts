/**
 * The "payment required" tool result of the x402 MCP transport, written and read: `isError: true`,
 * the `PaymentRequired` in `structuredContent`, and the same object as JSON in `content[0].text`
 * (both required of a server). A reader prefers `structuredContent` when it has `x402Version` and
 * `accepts`, else parses `content[0].text`.
 */

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  type AnyPaymentRequired,
  AnyPaymentRequired as AnyPaymentRequiredSchema,
  type SettleResponse,
} from '@x402kit/core';
import { PAYMENT_RESPONSE_META_KEY } from './mcp-meta.js';

/**
 * The tool result that asks for payment; `settlement` (a refusal or failure to read) goes in
 * `_meta["x402/payment-response"]`, never inside the `PaymentRequired`.
 *
 * @example
 * return paymentRequiredResult({ x402Version: 2, error: 'Payment required', resource, accepts })
 */
export function paymentRequiredResult(
  paymentRequired: AnyPaymentRequired,
  settlement?: SettleResponse,
): CallToolResult {
  const result: CallToolResult = {
    isError: true,
    structuredContent: paymentRequired,
    content: [{ type: 'text', text: JSON.stringify(paymentRequired) }],
  };
  if (settlement) result._meta = { [PAYMENT_RESPONSE_META_KEY]: settlement };
  return result;
}

/**
 * The `PaymentRequired` of a tool result, or `undefined` when the result does not ask for payment.
 *
 * @example
 * const paymentRequired = readPaymentRequired(await client.callTool({ name: 'get_weather', arguments: {} }))
 */
export function readPaymentRequired(result: object): AnyPaymentRequired | undefined {
  if (!('isError' in result) || result.isError !== true) return undefined;
  const structured =
    'structuredContent' in result ? parsePaymentRequired(result.structuredContent) : undefined;
  if (structured) return structured;
  const content: unknown[] = 'content' in result && Array.isArray(result.content) ? result.content : [];
  const first = content[0];
  if (!isTextContent(first)) return undefined;
  try {
    return parsePaymentRequired(JSON.parse(first.text));
  } catch {
    return undefined;
  }
}

/**
 * A `PaymentRequired` (v2 or v1) read from any value: the `data` of a JSON-RPC 402 error, a
 * `structuredContent`, a parsed text.
 *
 * @example
 * parsePaymentRequired(error.data) // AnyPaymentRequired | undefined
 */
export function parsePaymentRequired(value: unknown): AnyPaymentRequired | undefined {
  if (typeof value !== 'object' || value === null || !('x402Version' in value) || !('accepts' in value)) {
    return undefined;
  }
  const parsed = AnyPaymentRequiredSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function isTextContent(value: unknown): value is { type: 'text'; text: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'type' in value &&
    value.type === 'text' &&
    'text' in value &&
    typeof value.text === 'string'
  );
}
