/**
 * `x402kit demo --mcp`: a paid MCP tool and an agent that pays for one call. A devnet, a facilitator,
 * an MCP server whose `get_weather` tool costs USDC (exact, EIP-3009) over streamable HTTP, and an
 * MCP client (the SDK's plain `Client`, wrapped to pay) with a session budget: it calls the tool,
 * gets the PaymentRequired, approves and pays, and shows the result, the transaction, the budget
 * left and the balances.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  createBudget,
  createHttpFacilitatorClient,
  createMemoryBudgetStore,
  createResourceServer,
  createX402Client,
  formatUnits,
  parseBudgetLimit,
} from '@x402kit/core';
import { readTokenBalance } from '@x402kit/devnet';
import { createExactEvmClient, createExactEvmServer } from '@x402kit/evm';
import { serve } from '@x402kit/http/node';
import {
  createMcpFetchHandler,
  createPaidTools,
  getPaymentResponse,
  readPaymentRequired,
  wrapMcpClientWithPayment,
} from '@x402kit/mcp';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ExitCode } from '../../command.js';
import { narrate } from './demo-steps.js';
import { startEvmDemoStack } from './evm-demo-stack.js';
import { describeOffer } from './exact-demo.js';

/** The agent's budget in the demo: dollars per session. */
export const MCP_DEMO_BUDGET = '0.01/session';

/**
 * Run the MCP demo; `price` is the tool's price in dollars.
 *
 * @example await runMcpDemo('0.001', (text) => process.stdout.write(text)) // ExitCode.ok
 */
export function runMcpDemo(price: string, out: (text: string) => void): Promise<number> {
  return narrate(
    out,
    'x402kit demo --mcp: an agent pays for one MCP tool call on a local chain',
    async (say, stops) => {
      const { devnet, facilitatorUrl } = await startEvmDemoStack(say, stops);
      const { payer, payTo } = devnet.accounts;
      const usdc = devnet.token;

      say('3. Starting an MCP server with a paid tool ...');
      const paid = createPaidTools({
        server: createResourceServer({
          facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
          schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
          hooks: {
            afterSettle: (_call, result) =>
              say(
                result.success
                  ? `   server: ran the tool, then settled the payment on-chain in transaction ${result.transaction}`
                  : `   server: settlement failed: ${result.errorReason}`,
              ),
          },
        }),
        tools: {
          get_weather: {
            accepts: { scheme: 'exact', network: devnet.network, payTo: payTo.address, price: `$${price}` },
            description: 'Weather report',
          },
        },
      });
      const getWeather = paid.tool('get_weather', async () => ({
        content: [
          { type: 'text', text: JSON.stringify({ city: 'Lisbon', weather: 'sunny', temperatureC: 21 }) },
        ],
      }));
      const mcp = serve(
        createMcpFetchHandler(() => {
          const server = new McpServer({ name: 'weather', version: '1.0.0' });
          server.registerTool(
            'get_weather',
            // no arguments: the SDK's zod and the CLI's are not the same copy, so no zod schema here
            { description: `Weather report for Lisbon ($${price})`, inputSchema: {} },
            getWeather,
          );
          return server;
        }),
      );
      const api = await mcp;
      stops.push(() => api.close());
      say(`   MCP endpoint ${api.url}/mcp (streamable HTTP); tool get_weather costs $${price} in USDC`);

      const balances = async () => ({
        payer: await readTokenBalance(devnet.rpcUrl, usdc.address, payer.address as Hex),
        payTo: await readTokenBalance(devnet.rpcUrl, usdc.address, payTo.address as Hex),
      });
      const usd = (atomic: bigint) => formatUnits(atomic, usdc.decimals);
      const before = await balances();
      say();
      say(`Balances before: payer ${usd(before.payer)} USDC, payee ${usd(before.payTo)} USDC`);
      say();

      say('4. Agent: connecting with the MCP SDK client and calling get_weather without paying');
      const client = new Client({ name: 'demo-agent', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`)));
      stops.push(() => client.close());
      const { tools } = await client.listTools();
      say(`   tools/list: ${tools.map((t) => `${t.name} (${t.description ?? ''})`).join(', ')}`);
      const unpaid = readPaymentRequired(await client.callTool({ name: 'get_weather', arguments: {} }));
      if (unpaid?.x402Version !== 2) {
        say('   the tool did not ask for payment');
        return ExitCode.failure;
      }
      say(`   the tool answered isError with a PaymentRequired for ${unpaid.resource.url}; it offers:`);
      for (const offer of unpaid.accepts) say(`   - ${describeOffer(offer, usdc.decimals)}`);

      say(`5. Agent: paying under a budget of $${MCP_DEMO_BUDGET} and calling again ...`);
      const budget = createBudget({
        limits: [parseBudgetLimit(MCP_DEMO_BUDGET)],
        store: createMemoryBudgetStore(),
      });
      const x402 = createX402Client({
        schemes: [
          {
            network: 'eip155:*',
            client: createExactEvmClient({ signer: privateKeyToAccount(payer.privateKey as Hex) }),
          },
        ],
        budget,
      });
      const paying = wrapMcpClientWithPayment(client, x402, {
        onPaymentRequested: ({ toolName, offer }) => {
          say(
            `   agent: approves paying ${usd(BigInt(offer.requirements.amount))} USDC to ${offer.requirements.payTo} for ${toolName}; ` +
              `signing an EIP-3009 authorization, sent in _meta["x402/payment"]`,
          );
          return true;
        },
      });
      const result = await paying.callTool({ name: 'get_weather', arguments: {} });
      const receipt = getPaymentResponse(result);
      const text = result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join(' ');
      say(`   the tool answered: ${text}`);
      if (!receipt?.success) {
        say(`   no successful settlement: ${JSON.stringify(receipt ?? result)}`);
        return ExitCode.failure;
      }
      say(
        `   _meta["x402/payment-response"]: success, transaction ${receipt.transaction} on ${receipt.network}, payer ${receipt.payer}`,
      );
      const [left] = await budget.report();
      if (left)
        say(
          `   budget: spent ${left.spent} of ${left.max} ${left.unit} this session, ${left.left} ${left.unit} left`,
        );

      const after = await balances();
      say();
      say(
        `Balances after:  payer ${usd(after.payer)} USDC (${usd(after.payer - before.payer)}),` +
          ` payee ${usd(after.payTo)} USDC (+${usd(after.payTo - before.payTo)})`,
      );
      say();
      say('Done: stopping the agent, the MCP server, the facilitator and the chain.');
      return ExitCode.ok;
    },
  );
}
