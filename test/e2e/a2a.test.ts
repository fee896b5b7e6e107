/**
 * x402 over A2A on the devnet: a merchant agent (the @a2a-js/sdk server on 127.0.0.1, with our paid
 * executor, resource-server engine and facilitator service) and a client agent (the @a2a-js/sdk
 * client with our paying wrapper). The task completes with a receipt and the balances move once; a
 * bad payment leaves the task `failed` with `payment-failed` and the reason; a replayed payment
 * never runs the task twice. The wire is checked as the spec writes it (A2A v0.3 JSON-RPC).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AGENT_CARD_PATH, TaskState } from '@a2a-js/sdk';
import { createPayingAgentClient, PaymentMetadataKeys, X402_A2A_EXTENSION_URI } from '@x402kit/a2a';
import {
  createX402Client,
  maxAmountPolicy,
  type PaymentPayload,
  type PaymentRequired,
  X402Error,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmClient, signExactEvmAuthorization } from '@x402kit/evm';
import type { Running } from '@x402kit/testing/listen';
import { startOurFacilitator } from '@x402kit/testing/ours';
import { createPublicClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ask, type Merchant, sdkClient, startForecastMerchant } from './a2a-merchant.js';

let devnet: Devnet;
let facilitator: Running;
let merchant: Merchant;

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);

/** A merchant agent selling one forecast per task for $0.001. */
function startMerchant(): Promise<Merchant> {
  return startForecastMerchant({ devnet, facilitatorUrl: facilitator.url });
}

function payer(policies = [maxAmountPolicy('0.01')]) {
  const signer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
  return createX402Client({
    schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer }) }],
    policies,
  });
}

type WireTask = {
  kind: string;
  id: string;
  contextId: string;
  status: {
    state: string;
    message?: { metadata?: Record<string, unknown>; parts?: { kind: string; text?: string }[] };
  };
  artifacts?: { parts: { kind: string; text?: string }[] }[];
};

/** One A2A v0.3 JSON-RPC `message/send`, as the spec writes it. */
async function wireSend(
  url: string,
  message: Record<string, unknown>,
  extensions = X402_A2A_EXTENSION_URI,
): Promise<{ result?: WireTask; error?: { code: number; message: string } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(extensions ? { 'X-A2A-Extensions': extensions } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: crypto.randomUUID(),
      method: 'message/send',
      params: { message: { kind: 'message', messageId: crypto.randomUUID(), role: 'user', ...message } },
    }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { result?: WireTask; error?: { code: number; message: string } };
}

/** Open a task on the wire: the merchant answers `input-required` with the PaymentRequired. */
async function openTask(url = merchant.rpcUrl): Promise<{ task: WireTask; required: PaymentRequired }> {
  const { result } = await wireSend(url, { parts: [{ kind: 'text', text: 'Paris' }] });
  assert.ok(result);
  const required = result.status.message?.metadata?.[PaymentMetadataKeys.required] as PaymentRequired;
  return { task: result, required };
}

function submit(task: WireTask, payload: unknown, url = merchant.rpcUrl) {
  return wireSend(url, {
    taskId: task.id,
    contextId: task.contextId,
    parts: [{ kind: 'text', text: 'Here is the payment authorization.' }],
    metadata: { [PaymentMetadataKeys.status]: 'payment-submitted', [PaymentMetadataKeys.payload]: payload },
  });
}

/** A payload for the first offer, signed by the payer, with optional changes. */
async function signed(
  required: PaymentRequired,
  opts: { key?: Hex; authorization?: Record<string, string>; accepted?: Record<string, unknown> } = {},
): Promise<PaymentPayload> {
  const accepted = required.accepts[0];
  assert.ok(accepted);
  const signer = privateKeyToAccount(opts.key ?? (devnet.accounts.payer.privateKey as Hex));
  const sig = await signExactEvmAuthorization(
    signer,
    accepted,
    opts.authorization ? { authorization: opts.authorization } : {},
  );
  return {
    x402Version: 2,
    resource: required.resource,
    accepted: { ...accepted, ...opts.accepted },
    payload: { signature: sig.signature, authorization: { ...sig.authorization } },
  };
}

function failedWith(
  result: WireTask | undefined,
  code: string,
  reason: string | RegExp,
  transaction = '',
): void {
  assert.ok(result);
  assert.equal(result.status.state, 'failed');
  const metadata = result.status.message?.metadata ?? {};
  assert.equal(metadata[PaymentMetadataKeys.status], 'payment-failed');
  assert.equal(metadata[PaymentMetadataKeys.error], code);
  const receipts = metadata[PaymentMetadataKeys.receipts] as {
    success: boolean;
    errorReason?: string;
    transaction: string;
  }[];
  assert.equal(receipts.length, 1);
  assert.equal(receipts[0]?.success, false);
  assert.equal(receipts[0]?.transaction, transaction);
  if (typeof reason === 'string') assert.equal(receipts[0]?.errorReason, reason);
  else assert.match(receipts[0]?.errorReason ?? '', reason);
}

describe('x402 over A2A on the devnet (our merchant and client agents on @a2a-js/sdk)', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0, extraPayers: 1 });
    facilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
    });
    merchant = await startMerchant();
  });
  after(async () => {
    await merchant?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('the agent card declares the x402 extension, required', async () => {
    const res = await fetch(`${merchant.url}/${AGENT_CARD_PATH}`);
    const card = (await res.json()) as { capabilities: { extensions: { uri: string; required: boolean }[] } };
    assert.deepEqual(
      card.capabilities.extensions.map((e) => [e.uri, e.required]),
      [['https://github.com/google-a2a/a2a-x402/v0.1', true]],
    );
  });

  it('the client agent pays the merchant agent: the task completes with a receipt, balances move once', async () => {
    const [p0, t0, runs] = [
      await balance(devnet.accounts.payer.address),
      await balance(devnet.accounts.payTo.address),
      merchant.executions(),
    ];
    const agent = createPayingAgentClient({ client: await sdkClient(merchant.url), x402: payer() });
    const { task, payment, paid } = await agent.sendMessage(ask('Paris'));
    assert.ok(task && paid);
    assert.equal(task.status?.state, TaskState.TASK_STATE_COMPLETED);
    assert.equal(payment.status, 'payment-completed');
    assert.equal(payment.receipts.length, 1);
    const receipt = payment.receipts[0];
    assert.ok(receipt?.success);
    assert.match(receipt.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(receipt.network, devnet.network);
    assert.equal(receipt.payer?.toLowerCase(), devnet.accounts.payer.address.toLowerCase());
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    assert.equal((await chain.getTransactionReceipt({ hash: receipt.transaction as Hex })).status, 'success');
    const text = task.artifacts[0]?.parts[0]?.content;
    assert.deepEqual(text, { $case: 'text', value: 'Paris: sunny' });
    assert.equal(merchant.executions(), runs + 1);
    assert.equal(await balance(devnet.accounts.payer.address), p0 - 1000n);
    assert.equal(await balance(devnet.accounts.payTo.address), t0 + 1000n);
  });

  it('on the wire as the spec writes it: input-required/payment-required, then completed/payment-completed with receipts', async () => {
    const t0 = await balance(devnet.accounts.payTo.address);
    const { task, required } = await openTask();
    assert.equal(task.kind, 'task');
    assert.equal(task.status.state, 'input-required');
    assert.equal(task.status.message?.metadata?.[PaymentMetadataKeys.status], 'payment-required');
    assert.equal(required.x402Version, 2);
    assert.deepEqual(required.resource, {
      url: 'a2a://forecast-agent/forecast',
      description: 'A weather forecast',
      mimeType: 'text/plain',
    });
    assert.equal(required.accepts[0]?.amount, '1000');
    assert.equal(required.accepts[0]?.network, devnet.network);
    const payload = await payer().createPaymentPayload(required);
    const { result } = await submit(task, payload);
    assert.ok(result);
    assert.equal(result.kind, 'task');
    assert.equal(result.id, task.id);
    assert.equal(result.status.state, 'completed');
    const metadata = result.status.message?.metadata ?? {};
    assert.equal(metadata[PaymentMetadataKeys.status], 'payment-completed');
    const receipts = metadata[PaymentMetadataKeys.receipts] as {
      success: boolean;
      transaction: string;
      network: string;
    }[];
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0]?.success, true);
    assert.match(receipts[0]?.transaction ?? '', /^0x[0-9a-f]{64}$/);
    assert.equal(result.artifacts?.[0]?.parts[0]?.text, 'Paris: sunny');
    assert.equal(await balance(devnet.accounts.payTo.address), t0 + 1000n);
  });

  it('a bad signature leaves the task failed (payment-failed, INVALID_SIGNATURE) and nothing runs or moves', async () => {
    const [p0, runs] = [await balance(devnet.accounts.payer.address), merchant.executions()];
    const { task, required } = await openTask();
    const good = await signed(required);
    const other = await signed(required, { key: devnet.extraPayers[0]?.privateKey as Hex });
    const { result } = await submit(task, {
      ...good,
      payload: { ...good.payload, signature: other.payload.signature },
    });
    failedWith(result, 'INVALID_SIGNATURE', 'invalid_exact_evm_signature');
    assert.match(
      result?.status.message?.parts?.[0]?.text ?? '',
      /^Payment failed: invalid_exact_evm_signature/,
    );
    assert.equal(merchant.executions(), runs);
    assert.equal(await balance(devnet.accounts.payer.address), p0);
  });

  it('a wrong amount leaves the task failed (payment-failed, INVALID_AMOUNT), signed short or offered short', async () => {
    const [p0, runs] = [await balance(devnet.accounts.payer.address), merchant.executions()];
    const short = await openTask();
    const { result: signedShort } = await submit(
      short.task,
      await signed(short.required, { authorization: { value: '1' } }),
    );
    failedWith(signedShort, 'INVALID_AMOUNT', 'invalid_exact_evm_payload_authorization_value_mismatch');
    const offered = await openTask();
    const { result: offeredShort } = await submit(
      offered.task,
      await signed(offered.required, { authorization: { value: '1' }, accepted: { amount: '1' } }),
    );
    failedWith(offeredShort, 'INVALID_AMOUNT', 'no_matching_requirements');
    assert.equal(merchant.executions(), runs);
    assert.equal(await balance(devnet.accounts.payer.address), p0);
  });

  it('a replayed payment never runs a task twice: not on its task, not on another, not on another merchant process', async () => {
    const t0 = await balance(devnet.accounts.payTo.address);
    const runs = merchant.executions();
    const first = await openTask();
    const payload = await signed(first.required);
    // ten copies of one payment at once, for one task: one settlement, one execution
    const answers = await Promise.all(Array.from({ length: 10 }, () => submit(first.task, payload)));
    // a copy answers with the completed task and its one receipt, or with the task as it stood
    // before the payment (the @a2a-js/sdk ends a request waiting on a task when another request of
    // that task ends), or (arriving after the end) is refused: a completed task takes no more
    // messages, so paying that stale offer again is refused too. Never a second receipt.
    const kinds = answers.map((a) =>
      a.error
        ? 'terminal'
        : `${a.result?.kind}:${a.result?.status.state}:${a.result?.status.message?.metadata?.[PaymentMetadataKeys.status]}`,
    );
    const expected = ['task:completed:payment-completed', 'task:input-required:payment-required', 'terminal'];
    assert.ok(
      kinds.every((k) => expected.includes(k)),
      JSON.stringify(kinds),
    );
    assert.ok(kinds.includes('task:completed:payment-completed'));
    const receiptsOf = (a: (typeof answers)[number]) =>
      a.result?.status.message?.metadata?.[PaymentMetadataKeys.receipts] as
        | { transaction: string }[]
        | undefined;
    const transaction =
      receiptsOf(answers.find((a) => a.result?.status.state === 'completed') ?? answers[0]!)?.[0]
        ?.transaction ?? '';
    assert.match(transaction, /^0x[0-9a-f]{64}$/);
    for (const a of answers)
      if (a.result?.status.state === 'completed')
        assert.deepEqual(
          receiptsOf(a)?.map((r) => r.transaction),
          [transaction],
        );
    for (const a of answers) if (a.error) assert.match(a.error.message, /terminal state/);
    assert.equal(merchant.executions(), runs + 1);
    assert.equal(await balance(devnet.accounts.payTo.address), t0 + 1000n);
    // again on its task, now completed: the SDK refuses to touch a terminal task
    const again = await submit(first.task, payload);
    assert.match(again.error?.message ?? '', /terminal state/, 'a completed task takes no more messages');
    const fresh = await submit(first.task, await signed(first.required));
    assert.match(fresh.error?.message ?? '', /terminal state/, 'nor another payment');
    // on another task of this merchant: refused by this process's grant memory
    const second = await openTask();
    // (its receipt names the transaction that already settled it)
    failedWith(
      (await submit(second.task, payload)).result,
      'DUPLICATE_NONCE',
      'duplicate_settlement',
      transaction,
    );
    // on a task of another merchant process: refused by the facilitator and the chain
    const other = await startMerchant();
    try {
      const third = await openTask(other.rpcUrl);
      failedWith(
        (await submit(third.task, payload, other.rpcUrl)).result,
        'DUPLICATE_NONCE',
        /nonce|duplicate/,
      );
      assert.equal(other.executions(), 0);
    } finally {
      await other.close();
    }
    assert.equal(merchant.executions(), runs + 1);
    assert.equal(await balance(devnet.accounts.payTo.address), t0 + 1000n);
  });

  it('a client that does not activate the extension is refused (the card declares it required)', async () => {
    const { result, error } = await wireSend(
      merchant.rpcUrl,
      { parts: [{ kind: 'text', text: 'Paris' }] },
      '',
    );
    assert.equal(result, undefined);
    assert.ok(error);
    assert.ok(error.message.includes(X402_A2A_EXTENSION_URI), error.message);
  });

  it('a client that will not pay the price rejects the payment: the task ends payment-rejected', async () => {
    const p0 = await balance(devnet.accounts.payer.address);
    const a2a = await sdkClient(merchant.url);
    const agent = createPayingAgentClient({ client: a2a, x402: payer([maxAmountPolicy('0.0001')]) });
    await assert.rejects(agent.sendMessage(ask('Paris')), (e) => e instanceof X402Error);
    const { task } = await createPayingAgentClient({
      client: a2a,
      x402: payer(),
      approve: () => false,
    })
      .sendMessage(ask('Paris'))
      .then(
        () => assert.fail('expected a refusal'),
        (e: unknown) => {
          assert.ok(e instanceof X402Error);
          assert.equal(e.reason, 'a2a_payment_not_approved');
          return { task: undefined };
        },
      );
    assert.equal(task, undefined);
    // what the merchant made of it, on the wire
    const open = await openTask();
    const { result } = await wireSend(merchant.rpcUrl, {
      taskId: open.task.id,
      contextId: open.task.contextId,
      parts: [{ kind: 'text', text: 'No, thanks.' }],
      metadata: { [PaymentMetadataKeys.status]: 'payment-rejected' },
    });
    assert.equal(result?.status.state, 'failed');
    assert.equal(result?.status.message?.metadata?.[PaymentMetadataKeys.status], 'payment-rejected');
    assert.equal(await balance(devnet.accounts.payer.address), p0);
  });
});
