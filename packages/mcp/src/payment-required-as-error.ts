/**
 * The JSON-RPC error form of "payment required", for clients that expect it: a server transport
 * whose `tools/call` results asking for payment leave as `{ code: 402, message, data: PaymentRequired }`
 * errors instead. The SDK's `McpServer` turns every error a tool throws into a tool result, so the
 * form can only be written where the message leaves: here, on the transport.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCResultResponse, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MCP_PAYMENT_REQUIRED_CODE } from './mcp-meta.js';
import { readPaymentRequired } from './payment-required-result.js';

/**
 * Make `transport` send payment-required tool results as JSON-RPC 402 errors; every other message
 * is sent unchanged. Returns the same transport.
 *
 * @example
 * await mcp.connect(paymentRequiredAsJsonRpcError(new StdioServerTransport()));
 */
export function paymentRequiredAsJsonRpcError<T extends Transport>(transport: T): T {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(toErrorForm(message), options);
  return transport;
}

/**
 * A response whose result asks for payment, as the JSON-RPC 402 error; any other message as is.
 *
 * @example
 * toErrorForm({ jsonrpc: '2.0', id: 1, result: paymentRequiredResult(pr) }) // { jsonrpc: '2.0', id: 1, error: { code: 402, ... } }
 */
export function toErrorForm(message: JSONRPCMessage): JSONRPCMessage {
  if (!isJSONRPCResultResponse(message)) return message;
  const paymentRequired = readPaymentRequired(message.result);
  if (!paymentRequired) return message;
  return {
    jsonrpc: '2.0',
    id: message.id,
    error: {
      code: MCP_PAYMENT_REQUIRED_CODE,
      message: paymentRequired.error ?? 'Payment required',
      data: paymentRequired,
    },
  };
}
