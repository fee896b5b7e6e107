/**
 * Outcomes that never lie, proven with a real fault: a JSON-RPC proxy in front of anvil delays
 * receipts past the facilitator's receipt timeout, loses the answer of `eth_sendRawTransaction`,
 * resets the connection or answers 502 after forwarding it (the node got the transaction, the
 * facilitator never hears so). The whole deployment (`createFacilitatorApp`: ledger, hooks,
 * background reconciler, metrics) runs behind its HTTP server. A send whose outcome is unknown is
 * never a failure: when the facilitator can learn the outcome (the node knows the hash) it settles
 * at once; when it cannot, `/settle` answers `settlement_pending` with the hash computed from the
 * signed bytes (the one that lands), the ledger keeps it, the background reconciler finishes it
 * once the RPC heals, a retried `/settle` (same `X402-Attempt`) gets the settled outcome with the
 * SAME hash, and the chain holds exactly one transfer. Through our resource server the payer gets
 * 202 with that hash, then 200 and the content for the same payment. A payment replayed on another
 * resource with the same price and payTo is refused.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createX402Client,
  decodePaymentResponseHeader,
  type PaymentPayload,
  SettleResponse,
  VerifyResponse,
} from '@x402kit/core';
import { type Devnet, devnetAccount, startDevnet } from '@x402kit/devnet';
import { createExactEvmClient } from '@x402kit/evm';
import {
  createFacilitatorApp,
  type FacilitatorApp,
  type FacilitatorServer,
  type LogEvent,
  parseServiceConfig,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { type FetchLike, getPaymentResponse, wrapFetchWithPayment } from '@x402kit/http';
import { CHAINS } from '@x402kit/testing/chains';
import {
  devnetExactRequirements,
  settleRequestBody,
  signExactSettlement,
} from '@x402kit/testing/exact-settlement';
import { startOurPaidApi } from '@x402kit/testing/ours';
import { type RpcFault, type RpcFaultProxy, startRpcFaultProxy } from '@x402kit/testing/rpc-fault-proxy';
import { createPublicClient, type Hex, http, parseAbiItem } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

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

/** POST to the facilitator; `attempt` names the settle attempt (`X402-Attempt`) so a retry is ours. */
async function post(path: string, body: string, attempt?: string): Promise<unknown> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(attempt ? { 'x402-attempt': attempt } : {}) },
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

const newAttempt = () => `rpc-faults-${randomUUID()}`;

const payingClient = () =>
  createX402Client({
    schemes: [
      {
        network: 'eip155:*',
        client: createExactEvmClient({ signer: privateKeyToAccount(devnet.accounts.payer.privateKey) }),
      },
    ],
  });

/**
 * Settle a payment for `resource` while `faults` are on: `settlement_pending` with the hash that
 * lands on chain, stored `pending` in the ledger; then heal, let the background reconciler settle
 * it, and retry the same attempt: success with the same hash. One transfer, one relayer transaction.
 */
async function pendingThenReconciled(
  resource: string,
  faults: Record<string, RpcFault>,
): Promise<{ answeredMs: number; reconciledMs: number }> {
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
  const fromBlock = (await chain.getBlockNumber()) + 1n;
  const nonceBefore = await chain.getTransactionCount({ address: relayer.address });
  const faultedBefore = proxy.seen.get('eth_sendRawTransaction')?.faulted ?? 0;
  const payment = await signPayment(resource);
  const attempt = newAttempt();
  let first: SettleResponse;
  const t0 = performance.now();
  try {
    for (const [method, fault] of Object.entries(faults)) proxy.setFault(method, fault);
    first = SettleResponse.parse(await post('/settle', payment.body, attempt));
    assert.ok(
      (proxy.seen.get('eth_sendRawTransaction')?.faulted ?? 0) > faultedBefore,
      'the send was faulted',
    );
    assert.equal(first.success, false, JSON.stringify(first));
    assert.equal(first.errorReason, 'settlement_pending', JSON.stringify(first));
    assert.match(first.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(await paymentState(first.transaction), 'pending', 'the ledger keeps the hash as pending');
  } finally {
    proxy.heal();
  }
  const answeredMs = Math.round(performance.now() - t0);
  // the transaction the facilitator named is the one that moved the money
  const transfers = await transfersFrom(payment.from, fromBlock);
  assert.equal(transfers.length, 1, 'exactly one transfer on chain');
  assert.equal(
    transfers[0]?.transactionHash,
    first.transaction,
    'the pending answer names the landed transaction',
  );

  const reconciledMs = Math.round(
    await until(
      'the reconciler to settle it',
      async () => (await paymentState(first.transaction)) === 'settled',
    ),
  );
  const retried = SettleResponse.parse(await post('/settle', payment.body, attempt));
  assert.equal(retried.success, true, JSON.stringify(retried));
  assert.equal(retried.transaction, first.transaction, 'the retry answers the SAME transaction');
  assert.equal((await transfersFrom(payment.from, fromBlock)).length, 1, 'still one transfer');
  assert.equal(
    (await chain.getTransactionCount({ address: relayer.address })) - nonceBefore,
    1,
    'the relayer sent one transaction',
  );
  return { answeredMs, reconciledMs };
}

describe('RPC faults: settlement_pending, then reconciliation, never a double charge', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    proxy = await startRpcFaultProxy({ target: devnet.rpcUrl });
    const config = parseServiceConfig(
      {
        networks: { [devnet.network]: { rpc: [proxy.url] } },
        signers: { privateKeys: [relayer.privateKey] },
        ledger: { sqlite: { path: join(dir, 'ledger.db') } },
        instanceId: 'faulty-rpc',
        settlement: { receiptTimeoutMs: RECEIPT_TIMEOUT_MS, rpcTimeoutMs: RPC_TIMEOUT_MS },
        reconciler: { intervalMs: 200, leaseMs: 500, quietMs: 3000 },
        monitoring: { intervalMs: 60_000 },
      },
      { chains: CHAINS },
    );
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
    const attempt = newAttempt();
    proxy.setFault('eth_getTransactionReceipt', { kind: 'delay', ms: 4000 });

    const t0 = performance.now();
    const first = SettleResponse.parse(await post('/settle', payment.body, attempt));
    const answeredMs = performance.now() - t0;
    assert.equal(first.success, false, JSON.stringify(first));
    assert.equal(first.errorReason, 'settlement_pending');
    assert.match(first.transaction, /^0x[0-9a-f]{64}$/);
    assert.ok(['pending', 'settled'].includes((await paymentState(first.transaction)) ?? ''));

    proxy.heal();
    const reconciledMs = await until('the reconciler to settle it', async () => {
      return (await paymentState(first.transaction)) === 'settled';
    });
    const retried = SettleResponse.parse(await post('/settle', payment.body, attempt));
    assert.equal(retried.success, true, JSON.stringify(retried));
    assert.equal(retried.transaction, first.transaction, 'the retry answers the SAME transaction');

    const transfers = await transfersFrom(payment.from, fromBlock);
    assert.equal(transfers.length, 1, 'exactly one transfer on chain');
    assert.equal(transfers[0]?.transactionHash, first.transaction);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /x402kit_reconciled_total\{result="settled"\} [1-9]/);
    assert.match(metrics, /^x402kit_pending_settlements 0$/m);
    console.log(
      `delayed receipts: settlement_pending after ${Math.round(answeredMs)} ms; reconciled ${Math.round(reconciledMs)} ms after the RPC healed; ${transfers.length} transfer`,
    );
  });

  // the send's answer is lost, and the chain cannot be read either until the RPC heals
  const unreadable: Record<string, RpcFault> = {
    eth_getTransactionByHash: { kind: 'reset' },
    eth_getTransactionReceipt: { kind: 'reset' },
  };
  const unknownSends: Array<[string, RpcFault]> = [
    ['reset after forwarding (ECONNRESET)', { kind: 'reset' }],
    ['502 from a proxy after forwarding', { kind: 'bad-gateway' }],
    ['answer lost (timeout)', { kind: 'lose-answer' }],
  ];
  for (const [label, fault] of unknownSends) {
    it(`eth_sendRawTransaction ${label}: pending with the landed hash, kept, reconciled, one transfer`, async () => {
      const outcome = await pendingThenReconciled(`https://api.example/${fault.kind}`, {
        ...unreadable,
        eth_sendRawTransaction: fault,
      });
      console.log(
        `send ${label}: settlement_pending after ${outcome.answeredMs} ms; reconciled ${outcome.reconciledMs} ms after the RPC healed; 1 transfer, 1 relayer tx`,
      );
    });
  }

  it('eth_sendRawTransaction reset, chain readable: the facilitator learns the outcome and settles at once', async () => {
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const fromBlock = (await chain.getBlockNumber()) + 1n;
    const nonceBefore = await chain.getTransactionCount({ address: relayer.address });
    const faultedBefore = proxy.seen.get('eth_sendRawTransaction')?.faulted ?? 0;
    const payment = await signPayment('https://api.example/learn');
    proxy.setFault('eth_sendRawTransaction', { kind: 'reset' });
    let answer: SettleResponse;
    try {
      answer = SettleResponse.parse(await post('/settle', payment.body, newAttempt()));
    } finally {
      proxy.heal();
    }
    assert.ok((proxy.seen.get('eth_sendRawTransaction')?.faulted ?? 0) > faultedBefore, 'the send was reset');
    assert.equal(answer.success, true, JSON.stringify(answer));
    const transfers = await transfersFrom(payment.from, fromBlock);
    assert.equal(transfers.length, 1, 'exactly one transfer on chain');
    assert.equal(
      transfers[0]?.transactionHash,
      answer.transaction,
      'the answer names the landed transaction',
    );
    assert.equal((await chain.getTransactionCount({ address: relayer.address })) - nonceBefore, 1);

    // the nonce lane is consistent afterwards: the next payment settles from the next nonce
    const next = await signPayment('https://api.example/after-reset');
    const settled = SettleResponse.parse(await post('/settle', next.body, newAttempt()));
    assert.equal(settled.success, true, JSON.stringify(settled));
    assert.equal((await chain.getTransactionCount({ address: relayer.address })) - nonceBefore, 2);
  });

  it('through our resource server: 202 with the landed hash, then 200 and the content for the same payment', async () => {
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const fromBlock = (await chain.getBlockNumber()) + 1n;
    let handlerCalls = 0;
    const api = await startOurPaidApi({
      facilitatorUrl: server.url,
      routes: {
        'GET /report': {
          accepts: {
            scheme: 'exact',
            network: devnet.network,
            payTo: devnet.accounts.payTo.address,
            price: '$0.001',
          },
        },
      },
      options: { pendingRetryAfterSeconds: 1 },
      serve(app) {
        app.get('/report', (_req, res) => {
          handlerCalls++;
          res.json({ report: 'quarterly' });
        });
      },
    });
    const seen: Array<{ status: number; signature: string | null; transaction?: string }> = [];
    const observed: FetchLike = async (input, init) => {
      const request = new Request(input, init);
      const signature = request.headers.get('payment-signature');
      const first = signature !== null && !seen.some((s) => s.signature !== null);
      // the first paid request meets a broken RPC: the send's answer is lost, the chain unreadable
      if (first)
        for (const [method, fault] of Object.entries({
          ...unreadable,
          eth_sendRawTransaction: { kind: 'reset' } as const,
        }))
          proxy.setFault(method, fault);
      const res = await fetch(request);
      const pending = res.status === 202 ? getPaymentResponse(res) : undefined;
      seen.push({ status: res.status, signature, ...(pending ? { transaction: pending.transaction } : {}) });
      if (first) proxy.heal();
      if (pending) {
        await until(
          'the reconciler to settle it',
          async () => (await paymentState(pending.transaction)) === 'settled',
        );
      }
      return res;
    };
    try {
      const pay = wrapFetchWithPayment(observed, payingClient());
      const res = await pay(`${api.url}/report`);
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), { report: 'quarterly' });
      assert.deepEqual(
        seen.map((s) => s.status),
        [402, 202, 200],
      );
      assert.equal(seen[1]?.signature, seen[2]?.signature, 'the retry presents the same payment');
      const receipt = decodePaymentResponseHeader(res.headers.get('payment-response') ?? '');
      assert.equal(receipt.success, true);
      assert.equal(receipt.transaction, seen[1]?.transaction, 'the 202 named the settled transaction');
      assert.equal(handlerCalls, 1, 'the paid handler ran once');
      const transfers = await transfersFrom(devnet.accounts.payer.address, fromBlock);
      assert.equal(transfers.length, 1, 'exactly one transfer on chain');
      assert.equal(transfers[0]?.transactionHash, receipt.transaction);
    } finally {
      proxy.heal();
      await api.close();
    }
  });

  it('refuses a payment replayed on another resource of the same price and payTo', async () => {
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const fromBlock = (await chain.getBlockNumber()) + 1n;
    const payment = await signPayment('https://api.example/a');
    const settled = SettleResponse.parse(await post('/settle', payment.body, newAttempt()));
    assert.equal(settled.success, true, JSON.stringify(settled));

    const replay = bodyOf({ ...payment.payload, resource: { url: 'https://api.example/b' } });
    const verdict = VerifyResponse.parse(await post('/verify', replay));
    assert.equal(verdict.isValid, false);
    assert.equal(verdict.invalidReason, 'duplicate_settlement');
    const answer = SettleResponse.parse(await post('/settle', replay, newAttempt()));
    assert.equal(answer.success, false);
    assert.equal(answer.errorReason, 'duplicate_settlement');
    assert.equal((await transfersFrom(payment.from, fromBlock)).length, 1);
  });
});
