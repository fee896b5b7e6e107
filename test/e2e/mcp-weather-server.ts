/**
 * The paid MCP server of the MCP end-to-end test: one tool, `get_weather`, priced in USDC with exact
 * on the devnet through our facilitator service, counting its executions. Run as a script it serves
 * over stdio (env MCP_FACILITATOR_URL, MCP_NETWORK, MCP_PAY_TO, MCP_PRICE), for the stdio test, and
 * appends a line to MCP_EXECUTIONS_FILE at each execution.
 */
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createHttpFacilitatorClient, createResourceServer } from '@x402kit/core';
import { createExactEvmServer } from '@x402kit/evm';
import { createPaidTools } from '@x402kit/mcp';
import { z } from 'zod';

export type WeatherServerOptions = {
  facilitatorUrl: string;
  network: string;
  payTo: string;
  price: string;
  onExecution?: () => void;
};

/**
 * Paid weather tools: `createServer` builds an `McpServer` with `get_weather` (the payment memory is
 * shared by every server it builds); `executions` counts the tool's runs.
 *
 * @example
 * const weather = createWeatherServer({ facilitatorUrl, network: devnet.network, payTo, price: '$0.001' })
 * const { url } = await serve(createMcpFetchHandler(weather.createServer))
 */
export function createWeatherServer(options: WeatherServerOptions) {
  const paid = createPaidTools({
    server: createResourceServer({
      facilitators: createHttpFacilitatorClient({ url: options.facilitatorUrl }),
      schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
    }),
    tools: {
      get_weather: {
        accepts: { scheme: 'exact', network: options.network, payTo: options.payTo, price: options.price },
        description: 'Weather report',
      },
    },
  });
  let executions = 0;
  const getWeather = paid.tool('get_weather', async ({ city }: { city: string }) => {
    executions++;
    options.onExecution?.();
    const report = { city, weather: 'sunny', temperatureC: 21, execution: executions };
    return { content: [{ type: 'text', text: JSON.stringify(report) }] };
  });
  const createServer = () => {
    const mcp = new McpServer({ name: 'weather', version: '1.0.0' });
    mcp.registerTool(
      'get_weather',
      { description: 'Weather report for a city ($0.001)', inputSchema: { city: z.string() } },
      getWeather,
    );
    return mcp;
  };
  return { createServer, executions: () => executions };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const weather = createWeatherServer({
    facilitatorUrl: env('MCP_FACILITATOR_URL'),
    network: env('MCP_NETWORK'),
    payTo: env('MCP_PAY_TO'),
    price: env('MCP_PRICE'),
    onExecution: () => appendFileSync(env('MCP_EXECUTIONS_FILE'), 'run\n'),
  });
  await weather.createServer().connect(new StdioServerTransport());
}
