/**
 * The two money promises over MCP, with a real RPC cut: a paid MCP tool (`createPaidTools` on an
 * `McpServer`, streamable HTTP) settles through our facilitator deployment (ledger, background
 * reconciler) whose RPC to anvil goes through a proxy. The proxy forwards `eth_sendRawTransaction`
 * (the node takes the transfer) and then resets the connection, and the chain cannot be read until
 * it heals: the send's outcome is unknown. The paying MCP client is told the settlement is pending
 * with the hash that lands (no PaymentRequired, never a plain failure); after the RPC heals the
 * reconciler settles it (`/payments/tx/<hash>` says settled), the same payment gets the tool's
 * result with the settled receipt, the balance moved exactly once, the tool ran once, and a replay
 * of that payment is refused without running the tool. The paying client left to retry (its
 * `pendingSettlement`) is told pending, sends the same payment again once the RPC heals, and ends
 * with the tool's result: one payment signed, one run, one transfer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
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
import { type CutRpcFacilitator, startCutRpcFacilitator } from '@x402kit/testing/cut-rpc-facilitator';
import type { Running } from '@x402kit/testing/listen';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createWeatherServer } from './mcp-weather-server.js';

const PRICE = 1000n;
let devnet: Devnet;
let facilitator: CutRpcFacilitator;
let mcpServer: Running;
let weather: ReturnType<typeof createWeatherServer>;
let client: Client;
let x402: X402Client;
const balances = async () => ({
  payer: await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address as Hex),
  payTo: await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address as Hex),
});

/** Where a test starts from: the next block, the balances, the tool's runs, the sends cut so far. */
async function beginning() {
  return {
    fromBlock: await facilitator.nextBlock(),
    start: await balances(),
    runs: weather.executions(),
    cut: facilitator.sendsCut(),
  };
}

/** The tool ran once and the price moved once since `start`. */
async function paidOnce(start: { payer: bigint; payTo: bigint }, runs: number): Promise<void> {
  assert.equal(weather.executions() - runs, 1, 'one payment, one tool run');
  const now = await balances();
  assert.equal(start.payer - now.payer, PRICE, 'the payer paid once');
  assert.equal(now.payTo - start.payTo, PRICE, 'payTo received once');
}

const weatherCall = (city: string) => ({ name: 'get_weather', arguments: { city } });

/** A pending tool result: an error result with the pending receipt, never a PaymentRequired. */
function assertPending(result: CallToolResult): string {
  assert.equal(result.isError, true, JSON.stringify(result));
  assert.equal(readPaymentRequired(result), undefined, 'a pending settlement never asks to pay again');
  const receipt = getPaymentResponse(result);
  assert.ok(receipt, `a pending result carries the receipt: ${JSON.stringify(result)}`);
  assert.equal(receipt.success, false);
  assert.equal(receipt.errorReason, Reasons.settlementPending, JSON.stringify(receipt));
  assert.match(receipt.transaction, /^0x[0-9a-f]{64}$/);
  const text = (result.content[0] as { text: string }).text;
  assert.ok(text.includes(receipt.transaction), `the text names the hash: ${text}`);
  assert.ok(!/Payment settlement failed/.test(text), 'pending is not reported as a failure');
  return receipt.transaction;
}

describe('MCP paid tool, RPC cut after the settlement is sent: pending with the hash, reconciled, one transfer', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startCutRpcFacilitator(devnet, { instanceId: 'mcp-rpc-cut' });
    weather = createWeatherServer({
      facilitatorUrl: facilitator.url,
      network: devnet.network,
      payTo: devnet.accounts.payTo.address,
      price: '$0.001',
    });
    mcpServer = await serve(createMcpFetchHandler(weather.createServer));
    client = new Client({ name: 'agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${mcpServer.url}/mcp`)));
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
    await client?.close();
    await mcpServer?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('the paying client is told pending with the landed hash; after the RPC heals the same payment gets the result; a replay runs nothing', async () => {
    const { fromBlock, start, runs, cut } = await beginning();

    // the paying client, not retrying: what an agent is told while the outcome is unknown
    const paid: Array<{ payment: unknown; result: CallToolResult }> = [];
    const paying = wrapMcpClientWithPayment(client, x402, {
      pendingSettlement: false,
      onPaid: ({ payment, result }) => {
        paid.push({ payment, result });
      },
    });
    let hash: string;
    try {
      facilitator.cutAfterSend();
      const pending = await paying.callTool(weatherCall('Lisbon'));
      assert.ok(facilitator.sendsCut() > cut, 'the settlement was sent through the cut RPC');
      hash = assertPending(pending);
      assert.equal(await facilitator.paymentState(hash), 'pending', 'the ledger keeps the hash as pending');
    } finally {
      facilitator.proxy.heal();
    }
    // the money moved: the hash the client was told is the transfer on chain
    const transfers = await facilitator.transfersSince(fromBlock);
    assert.equal(transfers.length, 1, 'exactly one transfer on chain');
    assert.equal(transfers[0]?.transactionHash, hash, 'the pending answer names the landed transaction');

    await facilitator.settled(hash);

    // the same payment again, as the paying client sent it
    assert.equal(paid.length, 1, 'the paying client sent one payment');
    const sent = paid[0]?.payment;
    const settled = (await client.callTool({
      ...weatherCall('Lisbon'),
      _meta: { [PAYMENT_META_KEY]: sent },
    })) as CallToolResult;
    assert.equal(settled.isError, undefined, JSON.stringify(settled));
    assert.equal(JSON.parse((settled.content[0] as { text: string }).text).city, 'Lisbon');
    const receipt = getPaymentResponse(settled);
    assert.equal(receipt?.success, true, JSON.stringify(receipt));
    assert.equal(receipt?.transaction, hash, 'the settled receipt names the pending hash');

    // a replay of the same payment: refused, the tool does not run again
    const replay = (await client.callTool({
      ...weatherCall('Lisbon'),
      _meta: { [PAYMENT_META_KEY]: sent },
    })) as CallToolResult;
    assert.equal(replay.isError, true, JSON.stringify(replay));
    assert.equal(readPaymentRequired(replay)?.error, Reasons.duplicateSettlement, JSON.stringify(replay));

    await paidOnce(start, runs);
    assert.equal((await facilitator.transfersSince(fromBlock)).length, 1, 'still one transfer');
  });

  it('the paying client retrying while pending: the same payment, once the RPC heals, gets the result; one run, one transfer', async () => {
    const { fromBlock, start, runs, cut } = await beginning();
    const paid: Array<{ payment: unknown; result: CallToolResult }> = [];
    let pendingRetries = 0;
    const paying = wrapMcpClientWithPayment(client, x402, {
      pendingSettlement: { maxRetries: 60, delayMs: 250 },
      onPaid: ({ payment, result }) => {
        paid.push({ payment, result });
      },
      log: (event) => {
        if (!/settlement pending/.test(event.message)) return;
        // told pending: the RPC heals while the client waits to send the same payment again
        pendingRetries++;
        facilitator.proxy.heal();
      },
    });
    facilitator.cutAfterSend();
    let result: CallToolResult;
    try {
      result = await paying.callTool(weatherCall('Porto'));
    } finally {
      facilitator.proxy.heal();
    }
    assert.equal(result.isError, undefined, JSON.stringify(result));
    assert.equal(JSON.parse((result.content[0] as { text: string }).text).city, 'Porto');
    const receipt = getPaymentResponse(result);
    assert.equal(receipt?.success, true, JSON.stringify(receipt));
    assert.equal(paid.length, 1, 'one payment sent, however many retries');
    assert.ok(pendingRetries >= 1, 'the client was told pending and sent the same payment again');
    assert.ok(facilitator.sendsCut() > cut, 'the settlement went through the cut');
    const transfers = await facilitator.transfersSince(fromBlock);
    assert.equal(transfers.length, 1, 'exactly one transfer on chain');
    assert.equal(
      transfers[0]?.transactionHash,
      receipt?.transaction,
      'the receipt names the landed transfer',
    );
    await facilitator.settled(receipt?.transaction ?? '');
    await paidOnce(start, runs);
  });
});
