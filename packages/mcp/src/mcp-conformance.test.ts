/**
 * Conformance with the x402 MCP transport spec, on its own wire examples (test/vectors/mcp-transport.json,
 * taken from specs/transports-v2/mcp.md): the payment-required result is written and read exactly as
 * the spec shows it, its JSON-RPC error form carries the same PaymentRequired, the settled result's
 * receipt is read from `_meta["x402/payment-response"]`, and on the wire our server answers with
 * the spec's fields and our client sends the payment as the spec's plain object.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { TEST_NETWORK, TEST_SCHEME } from '@x402kit/testing/test-ledger';
import { createTestStack, PAY_TO } from '@x402kit/testing/test-stack';
import { z } from 'zod';
import { getPaymentResponse, PAYMENT_META_KEY, PAYMENT_RESPONSE_META_KEY } from './mcp-meta.js';
import { createPaidTools } from './paid-tools.js';
import { wrapMcpClientWithPayment } from './paying-client.js';
import { toErrorForm } from './payment-required-as-error.js';
import { paymentRequiredResult, readPaymentRequired } from './payment-required-result.js';

type Vectors = {
  paymentRequiredResponse: { jsonrpc: '2.0'; id: number; result: Record<string, unknown> };
  paidCallRequest: { params: { _meta: Record<string, Record<string, unknown>> } };
  settledResponse: { result: { _meta: Record<string, unknown> } };
};
const vectors: Vectors = JSON.parse(
  readFileSync(new URL('../../../test/vectors/mcp-transport.json', import.meta.url), 'utf8'),
);
const specResult = vectors.paymentRequiredResponse.result;
const specPaymentRequired = specResult.structuredContent as Record<string, unknown>;
const specText = (specResult.content as { text: string }[])[0]?.text;

describe('x402 MCP transport: the spec examples', () => {
  it('paymentRequiredResult writes the spec result, content[0].text byte for byte', () => {
    const parsed = readPaymentRequired(specResult);
    assert.ok(parsed);
    const written = paymentRequiredResult(parsed);
    assert.deepEqual(written, specResult);
    assert.deepEqual(Object.keys(written), Object.keys(specResult));
    assert.equal((written.content[0] as { text: string }).text, specText);
  });

  it('readPaymentRequired prefers structuredContent and falls back to content[0].text', () => {
    assert.deepEqual(readPaymentRequired(specResult), specPaymentRequired);
    const { structuredContent: _, ...textOnly } = specResult;
    assert.deepEqual(readPaymentRequired(textOnly), specPaymentRequired);
    assert.equal(
      readPaymentRequired({ ...specResult, isError: false }),
      undefined,
      'only an error result asks for payment',
    );
    assert.equal(
      readPaymentRequired({ isError: true, content: [{ type: 'text', text: 'boom' }] }),
      undefined,
    );
  });

  it('the JSON-RPC error form is {code: 402, message: error, data: PaymentRequired}', () => {
    const message = toErrorForm(vectors.paymentRequiredResponse as JSONRPCMessage);
    assert.deepEqual(message, {
      jsonrpc: '2.0',
      id: 1,
      error: { code: 402, message: 'Payment required to access this resource', data: specPaymentRequired },
    });
  });

  it('the receipt of the settled example is read from _meta["x402/payment-response"]', () => {
    const receipt = getPaymentResponse(vectors.settledResponse.result);
    assert.deepEqual(receipt, vectors.settledResponse.result._meta[PAYMENT_RESPONSE_META_KEY]);
    assert.equal(PAYMENT_META_KEY, Object.keys(vectors.paidCallRequest.params._meta)[0]);
  });

  it('on the wire: our server answers with the spec fields; our client sends the payment as a plain object', async () => {
    const stack = createTestStack();
    const paid = createPaidTools({
      server: stack.server,
      tools: {
        financial_analysis: {
          accepts: { scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: PAY_TO, price: '$0.01' },
          description: 'Advanced financial analysis tool',
        },
      },
    });
    const mcp = new McpServer({ name: 'spec', version: '1.0.0' });
    mcp.registerTool(
      'financial_analysis',
      { inputSchema: { ticker: z.string() } },
      paid.tool('financial_analysis', async ({ ticker }: { ticker: string }) => ({
        content: [{ type: 'text', text: `Financial analysis for ${ticker}` }],
      })),
    );
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const sent: JSONRPCMessage[] = [];
    const received: JSONRPCMessage[] = [];
    for (const [transport, log] of [
      [serverSide, sent],
      [clientSide, received],
    ] as const) {
      const send = transport.send.bind(transport);
      transport.send = (message, options) => {
        log.push(message);
        return send(message, options);
      };
    }
    await mcp.connect(serverSide);
    const client = new Client({ name: 'agent', version: '1.0.0' });
    await client.connect(clientSide);
    const result = await wrapMcpClientWithPayment(client, stack.client).callTool({
      name: 'financial_analysis',
      arguments: { ticker: 'AAPL' },
    });
    assert.equal(getPaymentResponse(result)?.success, true);

    const results = sent.flatMap((m) => ('result' in m && 'content' in m.result ? [m.result] : []));
    const [unpaid, settled] = results;
    assert.ok(unpaid && settled);
    // the SDK writes a result's fields in its schema's order; JSON objects are unordered, the fields are the spec's
    assert.deepEqual(Object.keys(unpaid).sort(), ['content', 'isError', 'structuredContent']);
    const structured = unpaid.structuredContent as Record<string, unknown>;
    assert.deepEqual(Object.keys(structured), Object.keys(specPaymentRequired));
    assert.deepEqual(structured.resource, {
      url: 'mcp://tool/financial_analysis',
      description: 'Advanced financial analysis tool',
      mimeType: 'application/json',
    });
    assert.equal((unpaid.content as { text: string }[])[0]?.text, JSON.stringify(structured));
    assert.deepEqual(Object.keys(settled).sort(), ['_meta', 'content']);
    assert.deepEqual(Object.keys(settled._meta as object), [PAYMENT_RESPONSE_META_KEY]);

    const calls = received.flatMap((m) => ('method' in m && m.method === 'tools/call' ? [m] : []));
    assert.equal(calls.length, 2);
    const payment = calls[1]?.params?._meta?.[PAYMENT_META_KEY];
    assert.equal(typeof payment, 'object', 'a plain PaymentPayload object, not base64');
    const specPayment = vectors.paidCallRequest.params._meta[PAYMENT_META_KEY] ?? {};
    assert.deepEqual(Object.keys(payment as object).slice(0, 4), Object.keys(specPayment));
    assert.deepEqual((payment as { resource: unknown }).resource, structured.resource);
    await client.close();
  });
});
