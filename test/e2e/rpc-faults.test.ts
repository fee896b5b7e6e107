/**
 * Outcomes that never lie, proven with a real fault: a JSON-RPC proxy in front of anvil delays
 * receipts past the facilitator's receipt timeout, or loses the answer of `eth_sendRawTransaction`
 * (the node got the transaction, the facilitator never hears so). The whole deployment
 * (`createFacilitatorApp`: ledger, hooks, background reconciler, metrics) runs behind its HTTP
 * server. Each time `/settle` answers `settlement_pending` with the transaction hash, the background
 * reconciler finishes it from the chain, a retried `/settle` gets the settled outcome with the SAME
 * hash, and the chain holds exactly one transfer. A payment replayed on another resource with the
 * same price and payTo is refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PaymentPayload, SettleResponse, VerifyResponse } from '@x402kit/core';
import { type Devnet, devnetAccount, startDevnet } from '@x402kit/devnet';
import {
  createFacilitatorApp,
  type FacilitatorApp,
  type FacilitatorServer,
  type LogEvent,
  parseServiceConfig,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { createPublicClient, type Hex, http, parseAbiItem } from 'viem';
import {
  devnetExactRequirements,
  settleRequestBody,
  signExactSettlement,
} from '../support/exact-settlement.js';
import { type RpcFaultProxy, startRpcFaultProxy } from '../support/rpc-fault-proxy.js';

const PRICE = 1000n;
const RECEIPT_TIMEOUT_MS = 1500;
const RPC_TIMEOUT_MS = 1000;
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

let devnet: Devnet;
let proxy: RpcFaultProxy;
let app: FacilitatorApp;
let server: FacilitatorServer;
const events: LogEvent[] = [];
const dir = mkdtempSync(join(tmpdir(), 'x402kit-rpc-faults-'));
const relayer = devnetAccount(5);

const requirements = () => devnetExactRequirements(devnet, { amount: PRICE.toString() });
const signPayment = (resource: string) =>
  signExactSettlement(devnet.accounts.payer.privateKey, requirements(), resource);
const bodyOf = (payload: PaymentPayload) => settleRequestBody(payload, requirements());

async function post(path: string, body: string): Promise<unknown> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  assert.equal(res.status, 200, `${path} answered ${res.status}: ${await res.clone().text()}`);
  return res.json();
}

async function paymentState(hash: string): Promise<string | undefined> {
  const res = await fetch(`${server.url}/payments/tx/${hash}`);
  if (res.status !== 200) return undefined;
  const body: unknown = await res.json();
  const payment = typeof body === 'object' && body !== null ? Reflect.get(body, 'payment') : undefined;
  const state = typeof payment === 'object' && payment !== null ? Reflect.get(payment, 'state') : undefined;
  return typeof state === 'string' ? state : undefined;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - started;
}

async function transfersFrom(from: Hex, fromBlock: bigint) {
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
  return chain.getLogs({
    address: devnet.token.address,
    event: transferEvent,
    args: { from, to: devnet.accounts.payTo.address },
    fromBlock,
  });
}

describe('RPC faults: settlement_pending, then reconciliation, never a double charge', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    proxy = await startRpcFaultProxy({ target: devnet.rpcUrl });
    const config = parseServiceConfig({
      networks: { [devnet.network]: { rpc: [proxy.url] } },
      signers: { privateKeys: [relayer.privateKey] },
      ledger: { sqlite: { path: join(dir, 'ledger.db') } },
      instanceId: 'faulty-rpc',
      settlement: { receiptTimeoutMs: RECEIPT_TIMEOUT_MS, rpcTimeoutMs: RPC_TIMEOUT_MS },
      reconciler: { intervalMs: 200, leaseMs: 500, quietMs: 3000 },
      monitoring: { intervalMs: 60_000 },
    });
    app = await createFacilitatorApp(config, { log: (event) => events.push(event) });
    server = await startFacilitatorServer({ service: app.service, port: 0 });
  });
  after(async () => {
    await server?.close();
    await app?.close();
    await proxy?.close();
    await devnet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('receipts delayed past the receipt timeout: pending with the hash, reconciled, same hash on retry', async () => {
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const fromBlock = (await chain.getBlockNumber()) + 1n;
    const payment = await signPayment('https://api.example/weather');
    proxy.setFault('eth_getTransactionReceipt', { kind: 'delay', ms: 4000 });

    const t0 = performance.now();
    const first = SettleResponse.parse(await post('/settle', payment.body));
    const answeredMs = performance.now() - t0;
    assert.equal(first.success, false, JSON.stringify(first));
    assert.equal(first.errorReason, 'settlement_pending');
    assert.match(first.transaction, /^0x[0-9a-f]{64}$/);
    assert.ok(['pending', 'settled'].includes((await paymentState(first.transaction)) ?? ''));

    proxy.heal();
    const reconciledMs = await until('the reconciler to settle it', async () => {
      return (await paymentState(first.transaction)) === 'settled';
    });
    const retried = SettleResponse.parse(await post('/settle', payment.body));
    assert.equal(retried.success, true, JSON.stringify(retried));
    assert.equal(retried.transaction, first.transaction, 'the retry answers the SAME transaction');

    const transfers = await transfersFrom(payment.from, fromBlock);
    assert.equal(transfers.length, 1, 'exactly one transfer on chain');
    assert.equal(transfers[0]?.transactionHash, first.transaction);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /x402kit_reconciled_total\{result="settled"\} [1-9]/);
    assert.match(metrics, /x402kit_pending_settlements\{\} 0/);
    console.log(
      `delayed receipts: settlement_pending after ${Math.round(answeredMs)} ms; reconciled ${Math.round(reconciledMs)} ms after the RPC healed; ${transfers.length} transfer`,
    );
  });

  it('the answer of eth_sendRawTransaction lost: pending with the hash, reconciled, no second transfer', async () => {
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const fromBlock = (await chain.getBlockNumber()) + 1n;
    const nonceBefore = await chain.getTransactionCount({ address: relayer.address });
    const payment = await signPayment('https://api.example/news');
    proxy.setFault('eth_sendRawTransaction', { kind: 'lose-answer' });

    const first = SettleResponse.parse(await post('/settle', payment.body));
    assert.equal(first.success, false, JSON.stringify(first));
    assert.equal(first.errorReason, 'settlement_pending');
    assert.match(first.transaction, /^0x[0-9a-f]{64}$/);
    assert.ok((proxy.seen.get('eth_sendRawTransaction')?.faulted ?? 0) >= 1, 'the send reached the proxy');

    proxy.heal();
    const reconciledMs = await until('the reconciler to settle it', async () => {
      return (await paymentState(first.transaction)) === 'settled';
    });
    const retried = SettleResponse.parse(await post('/settle', payment.body));
    assert.equal(retried.success, true, JSON.stringify(retried));
    assert.equal(retried.transaction, first.transaction);

    const transfers = await transfersFrom(payment.from, fromBlock);
    assert.equal(transfers.length, 1, 'exactly one transfer on chain');
    const nonceAfter = await chain.getTransactionCount({ address: relayer.address });
    assert.equal(nonceAfter - nonceBefore, 1, 'the relayer sent one transaction');
    console.log(
      `lost send answer: reconciled ${Math.round(reconciledMs)} ms after the RPC healed; 1 transfer, 1 relayer tx`,
    );
  });

  it('refuses a payment replayed on another resource of the same price and payTo', async () => {
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const fromBlock = (await chain.getBlockNumber()) + 1n;
    const payment = await signPayment('https://api.example/a');
    const settled = SettleResponse.parse(await post('/settle', payment.body));
    assert.equal(settled.success, true, JSON.stringify(settled));

    const replay = bodyOf({ ...payment.payload, resource: { url: 'https://api.example/b' } });
    const verdict = VerifyResponse.parse(await post('/verify', replay));
    assert.equal(verdict.isValid, false);
    assert.equal(verdict.invalidReason, 'duplicate_settlement');
    const answer = SettleResponse.parse(await post('/settle', replay));
    assert.equal(answer.success, false);
    assert.equal(answer.errorReason, 'duplicate_settlement');
    assert.equal((await transfersFrom(payment.from, fromBlock)).length, 1);
  });
});
