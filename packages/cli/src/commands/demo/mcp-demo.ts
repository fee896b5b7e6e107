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
import { type Devnet, readTokenBalance } from '@x402kit/devnet';
import { createExactEvmClient, createExactEvmServer } from '@x402kit/evm';
import { type Served, serve } from '@x402kit/http/node';
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
import { narrate, type Say, type Stops } from './demo-steps.js';
import { startEvmDemoStack } from './evm-demo-stack.js';
import { describeOffer } from './exact-demo.js';

/** The agent's budget in the demo: dollars per session. */
export const MCP_DEMO_BUDGET = '0.01/session';

/** What the MCP demo's steps work with: the chain, how to narrate and stop, and USDC amounts spelled. */
type McpDemo = {
  devnet: Devnet;
  say: Say;
  stops: Stops;
  /** An atomic USDC amount as a decimal. */
  usd: (atomic: bigint) => string;
};

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
      const demo: McpDemo = {
        devnet,
        say,
        stops,
        usd: (atomic) => formatUnits(atomic, devnet.token.decimals),
      };
      const { usd } = demo;
      const api = await startPaidMcpServer(demo, facilitatorUrl, price);

      const before = await readBalances(devnet);
      say();
      say(`Balances before: payer ${usd(before.payer)} USDC, payee ${usd(before.payTo)} USDC`);
      say();

      const client = await callUnpaid(demo, api.url);
      if (!client) return ExitCode.failure;
      if (!(await payAndCall(demo, client))) return ExitCode.failure;

      const after = await readBalances(devnet);
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

/** Step 3: an MCP server on 127.0.0.1 whose `get_weather` tool costs `price` dollars, said. */
async function startPaidMcpServer(
  { devnet, say, stops }: McpDemo,
  facilitatorUrl: string,
  price: string,
): Promise<Served> {
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
        accepts: {
          scheme: 'exact',
          network: devnet.network,
          payTo: devnet.accounts.payTo.address,
          price: `$${price}`,
        },
        description: 'Weather report',
      },
    },
  });
  const getWeather = paid.tool('get_weather', async () => ({
    content: [{ type: 'text', text: JSON.stringify({ city: 'Lisbon', weather: 'sunny', temperatureC: 21 }) }],
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
  return api;
}

/** The payer's and the payee's USDC balances. */
async function readBalances(devnet: Devnet): Promise<{ payer: bigint; payTo: bigint }> {
  const { payer, payTo } = devnet.accounts;
  return {
    payer: await readTokenBalance(devnet.rpcUrl, devnet.token.address, payer.address as Hex),
    payTo: await readTokenBalance(devnet.rpcUrl, devnet.token.address, payTo.address as Hex),
  };
}

/**
 * Step 4: connect the MCP SDK client to `${url}/mcp`, list the tools and call `get_weather` without
 * paying, saying the offers; the client, or `undefined` (said) when the tool asked for no payment.
 */
async function callUnpaid({ devnet, say, stops }: McpDemo, url: string): Promise<Client | undefined> {
  say('4. Agent: connecting with the MCP SDK client and calling get_weather without paying');
  const client = new Client({ name: 'demo-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  stops.push(() => client.close());
  const { tools } = await client.listTools();
  say(`   tools/list: ${tools.map((t) => `${t.name} (${t.description ?? ''})`).join(', ')}`);
  const unpaid = readPaymentRequired(await client.callTool({ name: 'get_weather', arguments: {} }));
  if (unpaid?.x402Version !== 2) {
    say('   the tool did not ask for payment');
    return undefined;
  }
  say(`   the tool answered isError with a PaymentRequired for ${unpaid.resource.url}; it offers:`);
  for (const offer of unpaid.accepts) say(`   - ${describeOffer(offer, devnet.token.decimals)}`);
  return client;
}

/**
 * Step 5: call `get_weather` again through the paying client under the session budget, saying
 * what the agent approved, the answer, the receipt and the budget left; whether it settled.
 */
async function payAndCall({ devnet, say, usd }: McpDemo, client: Client): Promise<boolean> {
  say(`5. Agent: paying under a budget of $${MCP_DEMO_BUDGET} and calling again ...`);
  const budget = createBudget({
    limits: [parseBudgetLimit(MCP_DEMO_BUDGET)],
    store: createMemoryBudgetStore(),
  });
  const x402 = createX402Client({
    schemes: [
      {
        network: 'eip155:*',
        client: createExactEvmClient({
          signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
        }),
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
    return false;
  }
  say(
    `   _meta["x402/payment-response"]: success, transaction ${receipt.transaction} on ${receipt.network}, payer ${receipt.payer}`,
  );
  const [left] = await budget.report();
  if (left)
    say(
      `   budget: spent ${left.spent} of ${left.max} ${left.unit} this session, ${left.left} ${left.unit} left`,
    );
  return true;
}
