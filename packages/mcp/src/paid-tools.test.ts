/**
 * Paid tools and the paying client, over the SDK's in-memory transport with the in-process test
 * ledger (no chain): the PaymentRequired result, a paid call and its receipt, one payment presented
 * ten times at once (one execution, one settlement), refusals, a failed settlement, per-call prices,
 * the JSON-RPC error form and the approval hook.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type CallToolResult, type JSONRPCMessage, McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  type AnyPaymentRequired,
  BudgetReasons,
  createBudget,
  createMemoryBudgetStore,
  createX402Client,
  maxAmountPolicy,
  Reasons,
  X402Error,
} from '@x402kit/core';
import { TEST_ASSET, TEST_NETWORK, TEST_SCHEME } from '@x402kit/testing/test-ledger';
import { createTestStack, PAY_TO } from '@x402kit/testing/test-stack';
import { z } from 'zod';
import { getPaymentResponse, PAYMENT_META_KEY } from './mcp-meta.js';
import { createPaidTools, type PaidToolConfig } from './paid-tools.js';
import { type PayingMcpClientOptions, paymentOutcomeOf, wrapMcpClientWithPayment } from './paying-client.js';
import { paymentRequiredAsJsonRpcError } from './payment-required-as-error.js';
import { readPaymentRequired } from './payment-required-result.js';

const option = { scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: PAY_TO, price: '$0.01' };

async function setup(
  opts: {
    tools?: Record<string, PaidToolConfig>;
    jsonRpcErrors?: boolean;
    /** Sees every message the server sends. */
    watch?: (message: JSONRPCMessage) => void;
  } = {},
) {
  const stack = createTestStack();
  const runs: string[] = [];
  const paid = createPaidTools({
    server: stack.server,
    tools: opts.tools ?? {
      weather: { accepts: option },
      broken: { accepts: option },
      throws: { accepts: option },
    },
  });
  const mcp = new McpServer({ name: 'paid', version: '1.0.0' });
  const tool = (name: string, run: (city: string) => CallToolResult) =>
    mcp.registerTool(
      name,
      { description: `${name} tool`, inputSchema: { city: z.string() } },
      paid.tool(name, async ({ city }: { city: string }) => {
        runs.push(`${name}:${city}`);
        return run(city);
      }),
    );
  tool('weather', (city) => ({ content: [{ type: 'text', text: `Sunny in ${city}` }] }));
  if (paid.payments.table.routes.some((r) => r.config.resource === 'mcp://tool/broken')) {
    tool('broken', () => ({ content: [{ type: 'text', text: 'out of order' }], isError: true }));
    tool('throws', () => {
      throw new Error('the tool failed');
    });
  }
  mcp.registerTool('free', { inputSchema: {} }, async () => ({ content: [{ type: 'text', text: 'free' }] }));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const send = serverSide.send.bind(serverSide);
  serverSide.send = (message, options) => {
    opts.watch?.(message);
    return send(message, options);
  };
  await mcp.connect(opts.jsonRpcErrors ? paymentRequiredAsJsonRpcError(serverSide) : serverSide);
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(clientSide);
  const paying = (options?: PayingMcpClientOptions, x402 = stack.client) =>
    wrapMcpClientWithPayment(client, x402, options);
  return { stack, runs, client, paying, mcp, close: () => client.close() };
}

/** A test on its own {@link setup} (made with `opts`), closed when it ends. */
function itWith(
  title: string,
  run: (t: Awaited<ReturnType<typeof setup>>) => Promise<void>,
  opts?: Parameters<typeof setup>[0],
) {
  it(title, async () => {
    const t = await setup(opts);
    try {
      await run(t);
    } finally {
      await t.close();
    }
  });
}

/** A paid call of `weather` for `city` while the test ledger refuses as `failure` says: its error result. */
async function refusedCall(
  t: Awaited<ReturnType<typeof setup>>,
  failure: { failVerifyWith: string } | { failSettleWith: string },
  city: string,
): Promise<CallToolResult> {
  Object.assign(t.stack.ledger, failure);
  const result = await t.paying().callTool({ name: 'weather', arguments: { city } });
  assert.equal(result.isError, true);
  return result;
}

async function unpaid(client: Client, name = 'weather', city = 'Paris'): Promise<AnyPaymentRequired> {
  const result = await client.callTool({ name, arguments: { city } });
  const pr = readPaymentRequired(result as CallToolResult);
  assert.ok(pr, `expected a PaymentRequired, got ${JSON.stringify(result)}`);
  return pr;
}

describe('createPaidTools (MCP server side)', () => {
  itWith(
    'answers an unpaid call with the PaymentRequired tool result, in both fields, without running the tool',
    async (t) => {
      const result = await t.client.callTool({ name: 'weather', arguments: { city: 'Paris' } });
      assert.equal(result.isError, true);
      const content = result.content as { type: string; text: string }[];
      assert.equal(content.length, 1);
      assert.equal(content[0]?.type, 'text');
      assert.equal(content[0]?.text, JSON.stringify(result.structuredContent));
      const pr = result.structuredContent as Record<string, unknown>;
      assert.equal(pr.x402Version, 2);
      assert.equal(pr.error, 'Payment required');
      assert.deepEqual(pr.resource, {
        url: 'mcp://tool/weather',
        description: 'Tool: weather',
        mimeType: 'application/json',
      });
      const accepts = pr.accepts as Record<string, unknown>[];
      assert.equal(accepts.length, 1);
      assert.equal(accepts[0]?.scheme, TEST_SCHEME);
      assert.equal(accepts[0]?.amount, '10000');
      assert.equal(accepts[0]?.payTo, PAY_TO);
      assert.equal(result._meta, undefined);
      assert.deepEqual(t.runs, []);
    },
  );

  itWith(
    'runs a paid call once, settles it and returns the result with _meta["x402/payment-response"]',
    async (t) => {
      const result = await t.paying().callTool({ name: 'weather', arguments: { city: 'Paris' } });
      assert.equal(result.isError, undefined);
      assert.deepEqual(result.content, [{ type: 'text', text: 'Sunny in Paris' }]);
      const receipt = getPaymentResponse(result);
      assert.equal(receipt?.success, true);
      assert.equal(receipt?.network, TEST_NETWORK);
      assert.equal(receipt?.transaction, t.stack.ledger.settlements[0]?.transaction);
      assert.deepEqual(t.runs, ['weather:Paris']);
      assert.equal(t.stack.ledger.settlements.length, 1);
      // a free tool is untouched
      const free = await t.paying().callTool({ name: 'free', arguments: {} });
      assert.deepEqual(free.content, [{ type: 'text', text: 'free' }]);
    },
  );

  itWith(
    'one payment presented 10 times at once: one execution, one settlement, nine duplicate_settlement refusals',
    async (t) => {
      const payment = await t.stack.client.createPaymentPayload(await unpaid(t.client));
      const results = (await Promise.all(
        Array.from({ length: 10 }, () =>
          t.client.callTool({
            name: 'weather',
            arguments: { city: 'Oslo' },
            _meta: { [PAYMENT_META_KEY]: payment },
          }),
        ),
      )) as CallToolResult[];
      const paid = results.filter((r) => r.isError !== true);
      assert.equal(paid.length, 1);
      assert.equal(getPaymentResponse(paid[0] as CallToolResult)?.success, true);
      const refused = results.filter((r) => r.isError === true);
      assert.equal(refused.length, 9);
      for (const r of refused) {
        assert.equal(readPaymentRequired(r)?.error, Reasons.duplicateSettlement);
        assert.equal(getPaymentResponse(r)?.errorReason, Reasons.duplicateSettlement);
        assert.ok(
          !JSON.stringify(r.content).includes('Sunny'),
          'a refused copy must not carry the tool output',
        );
      }
      assert.deepEqual(t.runs, ['weather:Oslo']);
      assert.equal(t.stack.ledger.settlements.length, 1);
      // and presented once more, later: refused with the transaction it was settled in
      const again = (await t.client.callTool({
        name: 'weather',
        arguments: { city: 'Oslo' },
        _meta: { [PAYMENT_META_KEY]: payment },
      })) as CallToolResult;
      assert.equal(readPaymentRequired(again)?.error, Reasons.duplicateSettlement);
      assert.equal(getPaymentResponse(again)?.transaction, t.stack.ledger.settlements[0]?.transaction);
      assert.deepEqual(t.runs, ['weather:Oslo']);
    },
  );

  itWith(
    'refuses a payment the facilitator finds invalid with the reason in error, without running the tool',
    async (t) => {
      const result = await refusedCall(t, { failVerifyWith: 'invalid_test_ledger_signature' }, 'Rome');
      assert.match(readPaymentRequired(result)?.error ?? '', /invalid_test_ledger_signature/);
      assert.deepEqual(t.runs, []);
      assert.equal(t.stack.ledger.settlements.length, 0);
    },
  );

  itWith('refuses an unreadable payment with invalid_payment_header', async (t) => {
    const result = (await t.client.callTool({
      name: 'weather',
      arguments: { city: 'Rome' },
      _meta: { [PAYMENT_META_KEY]: { x402Version: 2, payload: 'nonsense' } },
    })) as CallToolResult;
    assert.match(readPaymentRequired(result)?.error ?? '', new RegExp(`^${Reasons.invalidPaymentHeader}`));
    assert.deepEqual(t.runs, []);
  });

  itWith(
    'withholds the output when settlement fails: the PaymentRequired with "Payment settlement failed: <reason>"',
    async (t) => {
      const result = await refusedCall(t, { failSettleWith: 'test_settlement_refused' }, 'Lima');
      assert.ok(!JSON.stringify(result).includes('Sunny'), 'the tool output must be withheld');
      const pr = readPaymentRequired(result);
      assert.equal(pr?.error, 'Payment settlement failed: test_settlement_refused');
      assert.equal(pr?.accepts.length, 1);
      assert.equal(getPaymentResponse(result)?.success, false);
      assert.equal(getPaymentResponse(result)?.errorReason, 'test_settlement_refused');
      assert.deepEqual(t.runs, ['weather:Lima']);
    },
  );

  itWith('does not settle a tool that answers an error result or throws', async (t) => {
    const broken = await t.paying().callTool({ name: 'broken', arguments: { city: 'Nice' } });
    assert.equal(broken.isError, true);
    assert.deepEqual(broken.content, [{ type: 'text', text: 'out of order' }]);
    assert.equal(getPaymentResponse(broken), undefined);
    const thrown = await t.paying().callTool({ name: 'throws', arguments: { city: 'Nice' } });
    assert.deepEqual(thrown.content, [{ type: 'text', text: 'the tool failed' }]);
    assert.equal(thrown.isError, true);
    assert.equal(t.stack.ledger.settlements.length, 0);
  });

  itWith(
    'prices each call with a function of its arguments',
    async (t) => {
      const pr = await unpaid(t.client, 'weather', 'Bogota');
      assert.equal(pr.accepts[0] && 'amount' in pr.accepts[0] ? pr.accepts[0].amount : undefined, '6000');
      assert.equal(pr.x402Version === 2 ? pr.resource.description : undefined, 'Weather, priced per letter');
      const result = await t.paying().callTool({ name: 'weather', arguments: { city: 'Quito' } });
      assert.equal(getPaymentResponse(result)?.success, true);
      assert.equal(t.stack.ledger.settlements[0]?.amount, '5000');
    },
    {
      tools: {
        weather: {
          accepts: {
            ...option,
            price: (call) => ({
              amount: String(1000 * String(call.arguments.city).length),
              asset: TEST_ASSET,
            }),
          },
          description: 'Weather, priced per letter',
        },
      },
    },
  );

  it('throws when a tool without a price is wrapped', () => {
    const stack = createTestStack();
    const paid = createPaidTools({ server: stack.server, tools: { weather: { accepts: option } } });
    assert.throws(() => paid.tool('search', async () => ({ content: [] })), /no price for tool "search"/);
    assert.throws(
      () => paid.tool('search', async () => ({ content: [] })),
      (error: unknown) => error instanceof X402Error && error.reason === Reasons.invalidRouteConfig,
    );
  });
});

describe('the JSON-RPC error form', () => {
  itWith(
    'a server transport wrapped with paymentRequiredAsJsonRpcError answers {code: 402, message, data}',
    async (t) => {
      await assert.rejects(
        t.client.callTool({ name: 'weather', arguments: { city: 'Paris' } }),
        (error: unknown) => {
          assert.ok(error instanceof McpError);
          assert.equal(error.code, 402);
          assert.equal(error.message, 'MCP error 402: Payment required');
          const data = error.data as Record<string, unknown>;
          assert.equal(data.x402Version, 2);
          assert.deepEqual((data.resource as Record<string, unknown>).url, 'mcp://tool/weather');
          return true;
        },
      );
      // the paying client reads that form and pays; a paid result is not an error and is sent as is
      const result = await t.paying().callTool({ name: 'weather', arguments: { city: 'Paris' } });
      assert.deepEqual(result.content, [{ type: 'text', text: 'Sunny in Paris' }]);
      assert.equal(getPaymentResponse(result)?.success, true);
      assert.deepEqual(t.runs, ['weather:Paris']);
    },
    { jsonRpcErrors: true },
  );
});

describe('wrapMcpClientWithPayment (MCP client side)', () => {
  itWith(
    'asks onPaymentRequested before each payment; false returns the PaymentRequired unpaid',
    async (t) => {
      const seen: string[] = [];
      const declining = t.paying({
        onPaymentRequested: ({ toolName, offer, arguments: args }) => {
          seen.push(`${toolName}:${String(args.city)}:${offer.requirements.amount}`);
          return false;
        },
      });
      const result = await declining.callTool({ name: 'weather', arguments: { city: 'Cairo' } });
      assert.equal(readPaymentRequired(result)?.error, 'Payment required');
      assert.deepEqual(seen, ['weather:Cairo:10000']);
      assert.deepEqual(t.runs, []);
      const approving = t.paying({ onPaymentRequested: () => true });
      const paid = await approving.callTool({ name: 'weather', arguments: { city: 'Cairo' } });
      assert.equal(getPaymentResponse(paid)?.success, true);
    },
  );

  itWith(
    "pays under the client engine's policies: a cap below the price throws no_acceptable_payment_option",
    async (t) => {
      const capped = createX402Client({
        schemes: [{ network: 'test:*', client: t.stack.ledger.client() }],
        policies: [maxAmountPolicy(9_999n)],
      });
      await assert.rejects(
        t.paying({}, capped).callTool({ name: 'weather', arguments: { city: 'Lagos' } }),
        (error: unknown) => error instanceof X402Error && error.reason === Reasons.noAcceptablePaymentOption,
      );
      assert.deepEqual(t.runs, []);
      assert.equal(t.stack.ledger.settlements.length, 0);
    },
  );

  itWith(
    'a budget counts payments per tool and refuses the one that does not fit (budget_exceeded), told how each ended',
    async (t) => {
      // 25000 atomic units per tool: two calls at 10000 fit, the third does not
      const budget = createBudget({
        limits: [
          {
            amount: 25_000n,
            asset: { network: TEST_NETWORK, asset: TEST_ASSET },
            period: 'total',
            per: 'key',
          },
        ],
        store: createMemoryBudgetStore(),
      });
      const x402 = createX402Client({
        schemes: [{ network: 'test:*', client: t.stack.ledger.client() }],
        budget,
      });
      const paying = t.paying({}, x402);
      for (const city of ['Lima', 'Cusco']) {
        assert.equal(
          getPaymentResponse(await paying.callTool({ name: 'weather', arguments: { city } }))?.success,
          true,
        );
      }
      await assert.rejects(
        paying.callTool({ name: 'weather', arguments: { city: 'Puno' } }),
        (error: unknown) => error instanceof X402Error && error.reason === BudgetReasons.budgetExceeded,
      );
      const [weather] = await budget.report({ key: 'weather' });
      assert.equal(weather?.spent, '20000');
      assert.equal(weather?.left, '5000');
      // another tool has its own allowance; a refused payment is given back
      t.stack.ledger.failVerifyWith = 'invalid_test_ledger_signature';
      const refused = await paying.callTool({ name: 'broken', arguments: { city: 'Lima' } });
      assert.equal(paymentOutcomeOf(refused), 'refused');
      const [broken] = await budget.report({ key: 'broken' });
      assert.equal(broken?.spent, '0');
      assert.equal(broken?.left, '25000');
      assert.deepEqual(t.runs, ['weather:Lima', 'weather:Cusco']);
    },
  );

  it('sends the same payment again while the settlement is pending, then returns the settled result', async () => {
    let pendingAnswers = 0;
    const t = await setup({
      watch: (message) => {
        // the second pending answer lets the next settle through
        if (JSON.stringify(message).includes(Reasons.settlementPending) && ++pendingAnswers === 2) {
          t.stack.ledger.failSettleWith = undefined;
        }
      },
    });
    t.stack.ledger.failSettleWith = Reasons.settlementPending;
    let payments = 0;
    const paying = t.paying({
      pendingSettlement: { maxRetries: 3, delayMs: 10 },
      onPaid: () => {
        payments++;
      },
    });
    const result = await paying.callTool({ name: 'weather', arguments: { city: 'Pune' } });
    assert.equal(getPaymentResponse(result)?.success, true);
    assert.deepEqual(result.content, [{ type: 'text', text: 'Sunny in Pune' }]);
    assert.equal(pendingAnswers, 2);
    assert.deepEqual(
      t.runs,
      ['weather:Pune'],
      'the tool ran once; its held result went to the retry that settled',
    );
    assert.equal(t.stack.ledger.calls.verify, 1, 'the retries skip verification');
    assert.equal(payments, 1);
    assert.equal(t.stack.ledger.settlements.length, 1);
    await t.close();
  });

  itWith(
    'returns the pending result without retrying when pendingSettlement is false; no PaymentRequired in it',
    async (t) => {
      t.stack.ledger.failSettleWith = Reasons.settlementPending;
      const result = await t
        .paying({ pendingSettlement: false })
        .callTool({ name: 'weather', arguments: { city: 'Pune' } });
      assert.equal(result.isError, true);
      assert.equal(readPaymentRequired(result), undefined);
      assert.equal(getPaymentResponse(result)?.errorReason, Reasons.settlementPending);
      assert.ok(!JSON.stringify(result).includes('Sunny'));
    },
  );
});
