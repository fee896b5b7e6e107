/**
 * The two money promises over A2A, with a real RPC cut: a merchant agent (the @a2a-js/sdk server
 * with our paid executor) settles through our facilitator deployment (ledger, background
 * reconciler) whose RPC to anvil goes through a proxy that forwards `eth_sendRawTransaction` and
 * then resets the connection, the chain unreadable until it heals. The task is not `failed`: it
 * stays `input-required` with the receipt naming `settlement_pending` and the hash that landed, the
 * offer still on it, and the paid executor has not run. After the RPC heals the reconciler settles
 * it, the same payment sent again completes the task with the settled receipt (same hash), the
 * executor runs once, one transfer; a replay on another task is refused (DUPLICATE_NONCE). And two
 * DIFFERENT payments submitted at once for one task: one settles, the task runs once, the other
 * moves nothing (the paid executor grants one payment per task at a time); and a different payment
 * sent while the task's settlement is pending is not used: the pending one completes the task.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TaskState } from '@a2a-js/sdk';
import { createPayingAgentClient, PaymentMetadataKeys, X402_A2A_EXTENSION_URI } from '@x402kit/a2a';
import { createX402Client, type PaymentRequired, Reasons } from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmClient } from '@x402kit/evm';
import { type CutRpcFacilitator, startCutRpcFacilitator } from '@x402kit/testing/cut-rpc-facilitator';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ask, type Merchant, sdkClient, startForecastMerchant } from './a2a-merchant.js';

const PRICE = 1000n;
let devnet: Devnet;
let facilitator: CutRpcFacilitator;
let merchant: Merchant;
const payTo = () =>
  readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address as Hex);

const payer = () =>
  createX402Client({
    schemes: [
      {
        network: 'eip155:*',
        client: createExactEvmClient({
          signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
        }),
      },
    ],
  });

type WireTask = {
  id: string;
  contextId: string;
  status: { state: string; message?: { metadata?: Record<string, unknown> } };
};
type WireAnswer = { result?: WireTask; error?: { code: number; message: string } };

/** One A2A v0.3 JSON-RPC `message/send` with the x402 extension activated. */
async function wireSend(message: Record<string, unknown>): Promise<WireAnswer> {
  const res = await fetch(merchant.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-A2A-Extensions': X402_A2A_EXTENSION_URI },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: crypto.randomUUID(),
      method: 'message/send',
      params: { message: { kind: 'message', messageId: crypto.randomUUID(), role: 'user', ...message } },
    }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as WireAnswer;
}

const submit = (task: { id: string; contextId: string }, payload: unknown) =>
  wireSend({
    taskId: task.id,
    contextId: task.contextId,
    parts: [{ kind: 'text', text: 'Here is the payment authorization.' }],
    metadata: { [PaymentMetadataKeys.status]: 'payment-submitted', [PaymentMetadataKeys.payload]: payload },
  });

/** A new task asking for payment, and where the test starts from (block, payTo's balance, runs). */
async function openTask() {
  const [fromBlock, t0, runs] = [await facilitator.nextBlock(), await payTo(), merchant.executions()];
  const opened = await wireSend({ parts: [{ kind: 'text', text: 'Paris' }] });
  assert.ok(opened.result);
  const required = opened.result.status.message?.metadata?.[PaymentMetadataKeys.required] as PaymentRequired;
  return { fromBlock, t0, runs, task: opened.result, required };
}

type Receipt = { success: boolean; transaction: string; errorReason?: string };
const receiptsOf = (task: WireTask | undefined) =>
  (task?.status.message?.metadata?.[PaymentMetadataKeys.receipts] ?? []) as Receipt[];

describe('A2A paid agent, RPC cut after the settlement is sent: pending with the hash, not failed, then completed', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startCutRpcFacilitator(devnet, { instanceId: 'a2a-pending' });
    merchant = await startForecastMerchant({ devnet, facilitatorUrl: facilitator.url });
  });
  after(async () => {
    await merchant?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('the task stays input-required with settlement_pending and the landed hash; the same payment completes it after reconciliation', async () => {
    const fromBlock = await facilitator.nextBlock();
    const t0 = await payTo();
    const runs = merchant.executions();
    const cut = facilitator.sendsCut();
    const agent = createPayingAgentClient({
      client: await sdkClient(merchant.url),
      x402: payer(),
    });

    let outcome: Awaited<ReturnType<typeof agent.sendMessage>>;
    try {
      facilitator.cutAfterSend();
      outcome = await agent.sendMessage(ask('Paris'));
    } finally {
      facilitator.proxy.heal();
    }
    assert.ok(facilitator.sendsCut() > cut, 'the settlement went through the cut');
    const { task, payment, paid } = outcome;
    assert.ok(task && paid);
    // not failed: the task waits for the same payment again, the offer still on it
    assert.equal(
      task.status?.state,
      TaskState.TASK_STATE_INPUT_REQUIRED,
      'a pending settlement never fails the task',
    );
    assert.ok(payment.required, 'the offer stays on the task for the retry');
    assert.equal(payment.status, 'payment-verified', 'never payment-failed while the money may have moved');
    assert.equal(payment.error, undefined, 'no error code for a pending settlement');
    const pending = payment.receipts.at(-1);
    assert.ok(pending, JSON.stringify(payment));
    assert.equal(pending.success, false);
    assert.equal(pending.errorReason, Reasons.settlementPending, JSON.stringify(pending));
    assert.match(pending.transaction, /^0x[0-9a-f]{64}$/, 'the pending receipt names the hash');
    assert.equal(merchant.executions(), runs, 'the paid executor waits for the settlement');
    console.log(
      `a2a pending: task ${task.status?.state}, x402.payment.status=${payment.status}, x402.payment.error=${payment.error}, receipt errorReason=${pending.errorReason}`,
    );
    // the money moved: the named hash is the transfer on chain
    const transfers = await facilitator.transfersSince(fromBlock);
    assert.equal(transfers.length, 1, 'exactly one transfer on chain');
    assert.equal(transfers[0]?.transactionHash, pending.transaction);

    await facilitator.settled(pending.transaction);
    const { result } = await submit(task, paid);
    assert.ok(result, 'the same payment is taken on the task');
    assert.equal(result.status.state, 'completed', JSON.stringify(result.status));
    assert.equal(result.status.message?.metadata?.[PaymentMetadataKeys.status], 'payment-completed');
    const settled = receiptsOf(result).at(-1);
    assert.equal(settled?.success, true, JSON.stringify(receiptsOf(result)));
    assert.equal(settled?.transaction, pending.transaction, 'the settled receipt names the pending hash');
    assert.equal(merchant.executions() - runs, 1, 'one payment, one execution');

    // a replay of that payment on a new task: refused, nothing runs
    const opened = await wireSend({ parts: [{ kind: 'text', text: 'Paris' }] });
    assert.ok(opened.result);
    const replay = await submit(opened.result, paid);
    assert.equal(replay.result?.status.state, 'failed');
    assert.equal(replay.result?.status.message?.metadata?.[PaymentMetadataKeys.error], 'DUPLICATE_NONCE');
    assert.equal(merchant.executions() - runs, 1, 'still one execution');
    assert.equal((await facilitator.transfersSince(fromBlock)).length, 1, 'still one transfer');
    assert.equal((await payTo()) - t0, PRICE, 'payTo received the price once');
  });

  it('two different payments submitted at once for one task: one settles, one execution, the other moves nothing', async () => {
    const { fromBlock, t0, runs, task, required } = await openTask();
    const x402 = payer();
    const [a, b] = [await x402.createPaymentPayload(required), await x402.createPaymentPayload(required)];
    assert.notDeepEqual(a.payload, b.payload, 'two different payments');
    const answers = await Promise.all([submit(task, a), submit(task, b)]);
    const transfers = await facilitator.transfersSince(fromBlock);
    console.log(
      `two payments at once for one task: ${transfers.length} transfer(s), ${merchant.executions() - runs} execution(s); answers ${JSON.stringify(
        answers.map((x) =>
          x.error
            ? `error:${x.error.message}`
            : `${x.result?.status.state}:${x.result?.status.message?.metadata?.[PaymentMetadataKeys.status]}`,
        ),
      )}`,
    );
    assert.equal(transfers.length, 1, 'one task, one payment settled: the other moves nothing');
    assert.equal(merchant.executions() - runs, 1, 'one execution');
    assert.equal((await payTo()) - t0, PRICE);
    // each request ends with the task as the one grant left it (or as it stood before), never a
    // second receipt; a request arriving after the end meets a terminal task
    const hash = transfers[0]?.transactionHash;
    for (const answer of answers) {
      if (answer.error) {
        assert.match(answer.error.message, /terminal state/);
        continue;
      }
      const state = answer.result?.status.state;
      assert.ok(state === 'completed' || state === 'input-required', JSON.stringify(answer.result?.status));
      if (state === 'completed')
        assert.deepEqual(
          receiptsOf(answer.result).map((r) => [r.success, r.transaction]),
          [[true, hash]],
        );
    }
    assert.ok(
      answers.some((x) => x.result?.status.state === 'completed'),
      'the task completed',
    );
    // later, on a finished task, the other payment is refused and still moves nothing
    const late = await submit(task, b);
    assert.match(late.error?.message ?? '', /terminal state/);
    assert.equal((await facilitator.transfersSince(fromBlock)).length, 1);
    assert.equal(merchant.executions() - runs, 1);
  });

  it('another payment for a task whose settlement is pending: not used (DUPLICATE_NONCE, names the pending hash); the pending one completes the task', async () => {
    const { fromBlock, t0, runs, task, required } = await openTask();
    const x402 = payer();
    const first = await x402.createPaymentPayload(required);
    let pending: WireAnswer;
    try {
      facilitator.cutAfterSend();
      pending = await submit(task, first);
    } finally {
      facilitator.proxy.heal();
    }
    assert.equal(pending.result?.status.state, 'input-required', JSON.stringify(pending));
    const hash = receiptsOf(pending.result).at(-1)?.transaction ?? '';
    assert.equal(receiptsOf(pending.result).at(-1)?.errorReason, Reasons.settlementPending);
    // a second, different payment for the same task, the RPC healthy again: not used, the task
    // still waits for the pending one (which may land) and says so
    const second = await x402.createPaymentPayload(required);
    const other = await submit(task, second);
    assert.equal(other.result?.status.state, 'input-required', JSON.stringify(other));
    const metadata = other.result?.status.message?.metadata ?? {};
    assert.equal(metadata[PaymentMetadataKeys.error], 'DUPLICATE_NONCE');
    assert.ok(metadata[PaymentMetadataKeys.required], 'the offer stays on the task');
    const refusal = receiptsOf(other.result).at(-1);
    assert.equal(refusal?.success, false);
    assert.equal(refusal?.errorReason, Reasons.duplicateSettlement);
    assert.equal(refusal?.transaction, '', 'this payment moved nothing');
    assert.match(
      JSON.stringify(other.result?.status.message),
      new RegExp(hash),
      'the answer names the pending hash',
    );
    assert.equal(merchant.executions(), runs, 'nothing ran');

    await facilitator.settled(hash);
    assert.equal((await facilitator.transfersSince(fromBlock)).length, 1, 'one task, one payment settled');
    // the pending payment sent again completes the task; the other one is still refused after
    const done = await submit(task, first);
    assert.equal(done.result?.status.state, 'completed', JSON.stringify(done));
    const settled = receiptsOf(done.result).at(-1);
    assert.deepEqual([settled?.success, settled?.transaction], [true, hash]);
    const late = await submit(task, second);
    assert.match(late.error?.message ?? '', /terminal state/);
    assert.equal(merchant.executions() - runs, 1, 'one execution');
    assert.equal((await facilitator.transfersSince(fromBlock)).length, 1, 'still one transfer');
    assert.equal((await payTo()) - t0, PRICE);
  });
});
