/**
 * batch-settlement over MCP on the devnet: a plain `@modelcontextprotocol/sdk` client wrapped with our
 * paying client calls our paid tool (streamable HTTP) whose resource server uses the batch-settlement
 * scheme, through our facilitator. The first call deposits (one transaction), the next ones are vouchers
 * (no transaction, the receipt carrying the charged amount and the channel state); a second client with
 * no record of the channel (cold start) is answered the corrective offer and signs once more; one claim
 * and the sweep move exactly the calls' price to payTo.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createHttpFacilitatorClient, createResourceServer, createX402Client } from '@x402kit/core';
import { type Devnet, readTokenBalance } from '@x402kit/devnet';
import {
  BATCH_SETTLEMENT_ADDRESS,
  createBatchSettlementEvmClient,
  createBatchSettlementEvmServer,
  createMemoryChannelStore,
  createMemoryClientChannelStorage,
} from '@x402kit/evm/batch-settlement';
import { serve } from '@x402kit/http/node';
import {
  createMcpFetchHandler,
  createPaidTools,
  getPaymentResponse,
  wrapMcpClientWithPayment,
} from '@x402kit/mcp';
import { claimOnce } from '@x402kit/testing/batch-settlement-servers';
import type { Running } from '@x402kit/testing/listen';
import { hookDevnetWithOurFacilitator } from '@x402kit/testing/ours';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { z } from 'zod';

const PRICE = 1000n; // $0.001 in USDC atomic units

describe('MCP: a paid tool sold with batch-settlement (devnet, our facilitator)', () => {
  let devnet: Devnet;
  let facilitator: Running;
  let server: Running;
  let executions = 0;
  const store = createMemoryChannelStore();
  const clients: Client[] = [];

  hookDevnetWithOurFacilitator((started) => ({ devnet, facilitator } = started));
  before(async () => {
    const paid = createPaidTools({
      server: createResourceServer({
        facilitators: createHttpFacilitatorClient({ url: facilitator.url }),
        schemes: [{ network: 'eip155:*', server: createBatchSettlementEvmServer({ store }) }],
      }),
      tools: {
        get_weather: {
          accepts: {
            scheme: 'batch-settlement',
            network: devnet.network,
            payTo: devnet.accounts.payTo.address,
            price: '$0.001',
          },
          description: 'Weather report',
        },
      },
    });
    const getWeather = paid.tool('get_weather', async ({ city }: { city: string }) => {
      executions++;
      return { content: [{ type: 'text', text: JSON.stringify({ city, weather: 'sunny' }) }] };
    });
    server = await serve(
      createMcpFetchHandler(() => {
        const mcp = new McpServer({ name: 'weather', version: '1.0.0' });
        mcp.registerTool(
          'get_weather',
          { description: 'Weather', inputSchema: { city: z.string() } },
          getWeather,
        );
        return mcp;
      }),
    );
  });
  after(async () => {
    for (const client of clients) await client.close();
    await server?.close();
  });

  /** A paying MCP client of the devnet's payer, with its own (empty) channel records. */
  async function payingClient() {
    const client = new Client({ name: 'agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    clients.push(client);
    const batch = createBatchSettlementEvmClient({
      signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
      storage: createMemoryClientChannelStorage(),
      rpcUrl: devnet.rpcUrl,
    });
    return wrapMcpClientWithPayment(
      client,
      createX402Client({ schemes: [{ network: 'eip155:*', client: batch }] }),
    );
  }

  const balance = (who: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, who as Hex);

  it('one deposit, then vouchers; a cold-start client is corrected once; one claim moves exactly the price of every call', async () => {
    const payToBefore = await balance(devnet.accounts.payTo.address);
    const paying = await payingClient();
    const receipts = [];
    for (const city of ['Lisbon', 'Porto', 'Faro', 'Braga', 'Evora']) {
      const result = await paying.callTool({ name: 'get_weather', arguments: { city } });
      assert.equal(result.isError, undefined, JSON.stringify(result));
      receipts.push(getPaymentResponse(result));
    }
    assert.match(receipts[0]?.transaction ?? '', /^0x[0-9a-f]{64}$/, 'the first call deposits');
    const escrowAfterDeposit = await balance(BATCH_SETTLEMENT_ADDRESS);
    assert.ok(escrowAfterDeposit >= 5n * PRICE, 'the deposit covers the calls');
    for (const [i, receipt] of receipts.slice(1).entries()) {
      assert.equal(receipt?.success, true);
      assert.equal(receipt?.transaction, '', `call ${i + 2} is a voucher: no transaction`);
      const extra = receipt?.extra as {
        chargedAmount?: string;
        channelState?: { chargedCumulativeAmount?: string };
      };
      assert.equal(extra?.chargedAmount, PRICE.toString());
      assert.equal(extra?.channelState?.chargedCumulativeAmount, ((BigInt(i) + 2n) * PRICE).toString());
    }
    assert.equal(executions, 5);

    // a second client of the same payer without any record: the corrective offer, then one more signature
    const fresh = await payingClient();
    const corrected = await fresh.callTool({ name: 'get_weather', arguments: { city: 'Sintra' } });
    assert.equal(corrected.isError, undefined, JSON.stringify(corrected));
    const receipt = getPaymentResponse(corrected);
    assert.equal(receipt?.transaction, '', 'the cold start continues the channel with a voucher');
    assert.equal(
      (receipt?.extra as { channelState?: { chargedCumulativeAmount?: string } })?.channelState
        ?.chargedCumulativeAmount,
      (6n * PRICE).toString(),
    );
    assert.equal(executions, 6, 'the corrected call ran the tool once');
    assert.equal(await balance(BATCH_SETTLEMENT_ADDRESS), escrowAfterDeposit, 'no transaction for vouchers');

    const run = await claimOnce({
      store,
      facilitator: createHttpFacilitatorClient({ url: facilitator.url }),
      network: devnet.network,
    });
    assert.equal(run.claimTransactions.length, 1);
    assert.equal((await balance(devnet.accounts.payTo.address)) - payToBefore, 6n * PRICE);
  });
});
