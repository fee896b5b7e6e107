/**
 * MCP end to end on the devnet: a plain `@modelcontextprotocol/sdk` client wrapped with our paying
 * client pays our paid tool (exact, USDC via EIP-3009, our facilitator service, anvil), over
 * streamable HTTP and over stdio. An unpaid call gets the PaymentRequired and moves nothing; each
 * paid call moves the price once; one payment presented 10 times at once runs the tool once and
 * transfers once.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createX402Client, Reasons, type X402Client } from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmClient } from '@x402kit/evm';
import { serve } from '@x402kit/http/node';
import {
  createMcpFetchHandler,
  getPaymentResponse,
  PAYMENT_META_KEY,
  readPaymentRequired,
  wrapMcpClientWithPayment,
} from '@x402kit/mcp';
import type { Running } from '@x402kit/testing/listen';
import { startOurFacilitator } from '@x402kit/testing/ours';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createWeatherServer } from './mcp-weather-server.js';

const PRICE = 1000n; // $0.001 in USDC atomic units

let devnet: Devnet;
let facilitator: Running;
let x402: X402Client;

const balances = async () => ({
  payer: await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address as Hex),
  payTo: await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address as Hex),
});

async function expectMoved(before: { payer: bigint; payTo: bigint }, amount: bigint): Promise<void> {
  const now = await balances();
  assert.equal(before.payer - now.payer, amount, 'payer balance');
  assert.equal(now.payTo - before.payTo, amount, 'payTo balance');
}

const weatherCall = (city: string) => ({ name: 'get_weather', arguments: { city } });

/** The proofs, for one transport. */
function proofs(connect: () => Promise<{ client: Client; executions: () => Promise<number> }>) {
  let client: Client;
  let executions: () => Promise<number>;
  before(async () => {
    ({ client, executions } = await connect());
  });
  after(async () => {
    await client?.close();
  });

  it('an unpaid call gets the PaymentRequired and moves nothing', async () => {
    const start = await balances();
    const result = (await client.callTool(weatherCall('Lisbon'))) as CallToolResult;
    const pr = readPaymentRequired(result);
    assert.ok(pr && pr.x402Version === 2, JSON.stringify(result));
    assert.deepEqual(pr.resource, {
      url: 'mcp://tool/get_weather',
      description: 'Weather report',
      mimeType: 'application/json',
    });
    assert.equal(pr.accepts[0]?.amount, PRICE.toString());
    assert.equal(pr.accepts[0]?.asset, devnet.token.address);
    assert.equal(pr.accepts[0]?.network, devnet.network);
    assert.equal((result.content[0] as { text: string }).text, JSON.stringify(result.structuredContent));
    await expectMoved(start, 0n);
  });

  it('the wrapped client pays: the tool answers with the receipt, the price moves once per paid call', async () => {
    const paying = wrapMcpClientWithPayment(client, x402);
    const runs = await executions();
    for (const city of ['Lisbon', 'Porto']) {
      const start = await balances();
      const result = await paying.callTool(weatherCall(city));
      assert.equal(result.isError, undefined, JSON.stringify(result));
      assert.equal(JSON.parse((result.content[0] as { text: string }).text).city, city);
      const receipt = getPaymentResponse(result);
      assert.equal(receipt?.success, true);
      assert.match(receipt?.transaction ?? '', /^0x[0-9a-f]{64}$/);
      assert.equal(receipt?.network, devnet.network);
      assert.equal(receipt?.payer?.toLowerCase(), devnet.accounts.payer.address.toLowerCase());
      await expectMoved(start, PRICE);
    }
    assert.equal(await executions(), runs + 2);
  });

  it('one payment presented 10 times at once: one execution, one transfer', async () => {
    const unpaid = readPaymentRequired((await client.callTool(weatherCall('Faro'))) as CallToolResult);
    assert.ok(unpaid);
    const payment = await x402.createPaymentPayload(unpaid);
    const start = await balances();
    const runs = await executions();
    const results = (await Promise.all(
      Array.from({ length: 10 }, () =>
        client.callTool({ ...weatherCall('Faro'), _meta: { [PAYMENT_META_KEY]: payment } }),
      ),
    )) as CallToolResult[];
    const paid = results.filter((r) => r.isError !== true);
    assert.equal(paid.length, 1, JSON.stringify(results.map((r) => readPaymentRequired(r)?.error)));
    assert.equal(getPaymentResponse(paid[0] as CallToolResult)?.success, true);
    for (const refused of results.filter((r) => r.isError === true)) {
      assert.equal(readPaymentRequired(refused)?.error, Reasons.duplicateSettlement);
    }
    assert.equal(await executions(), runs + 1);
    await expectMoved(start, PRICE);
  });
}

describe('MCP: paid tool on the devnet (exact, our facilitator)', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
    });
    x402 = createX402Client({
      schemes: [
        {
          network: 'eip155:*',
          client: createExactEvmClient({
            signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
          }),
        },
      ],
    });
  });
  after(async () => {
    await facilitator?.close();
    await devnet?.stop();
  });

  const options = () => ({
    facilitatorUrl: facilitator.url,
    network: devnet.network,
    payTo: devnet.accounts.payTo.address,
    price: '$0.001',
  });

  describe('over streamable HTTP', () => {
    let server: Running | undefined;
    after(async () => {
      await server?.close();
    });
    proofs(async () => {
      const weather = createWeatherServer(options());
      server = await serve(createMcpFetchHandler(weather.createServer));
      const client = new Client({ name: 'agent', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
      return { client, executions: async () => weather.executions() };
    });
  });

  describe('over stdio', () => {
    const executionsFile = join(tmpdir(), `x402kit-mcp-executions-${process.pid}-${Date.now()}`);
    after(async () => {
      await rm(executionsFile, { force: true });
    });
    proofs(async () => {
      const env = options();
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [
          '--conditions=source',
          '--import',
          'tsx',
          fileURLToPath(new URL('./mcp-weather-server.ts', import.meta.url)),
        ],
        env: {
          ...(process.env as Record<string, string>),
          MCP_FACILITATOR_URL: env.facilitatorUrl,
          MCP_NETWORK: env.network,
          MCP_PAY_TO: env.payTo,
          MCP_PRICE: env.price,
          MCP_EXECUTIONS_FILE: executionsFile,
        },
        stderr: 'inherit',
      });
      const client = new Client({ name: 'agent', version: '1.0.0' });
      await client.connect(transport);
      const executions = async () => {
        const lines = await readFile(executionsFile, 'utf8').catch(() => '');
        return lines.split('\n').filter(Boolean).length;
      };
      return { client, executions };
    });
  });
});
