/**
 * The names x402 gives its data in MCP (transport spec `transports-v2/mcp.md`): the payment rides in
 * the `tools/call` request's `_meta["x402/payment"]` (a plain `PaymentPayload` object, not base64),
 * the receipt in the result's `_meta["x402/payment-response"]` (a `SettleResponse`). A tool's
 * resource URL is `mcp://tool/<name>`.
 */
import { SettleResponse } from '@x402kit/core';

/** `_meta` key of the payment a client sends with `tools/call`. */
export const PAYMENT_META_KEY = 'x402/payment';
/** `_meta` key of the settlement a server returns with the tool result. */
export const PAYMENT_RESPONSE_META_KEY = 'x402/payment-response';
/** JSON-RPC error code of the error form of "payment required" (`{ code: 402, message, data: PaymentRequired }`). */
export const MCP_PAYMENT_REQUIRED_CODE = 402;

/**
 * The resource URL of a tool, as the x402 MCP transport writes it.
 *
 * @example
 * toolResourceUrl('get_weather') // 'mcp://tool/get_weather'
 */
export function toolResourceUrl(toolName: string): string {
  return `mcp://tool/${toolName}`;
}

/**
 * The settlement a paid tool result carries in `_meta["x402/payment-response"]`, when it is a valid
 * `SettleResponse`.
 *
 * @example
 * const receipt = getPaymentResponse(await paying.callTool({ name: 'get_weather', arguments: { city: 'Paris' } }))
 * console.log(receipt?.transaction)
 */
export function getPaymentResponse(result: {
  _meta?: Record<string, unknown> | undefined;
}): SettleResponse | undefined {
  const parsed = SettleResponse.safeParse(result._meta?.[PAYMENT_RESPONSE_META_KEY]);
  return parsed.success ? parsed.data : undefined;
}
