/**
 * The two money promises checked on any paid HTTP route (a gateway, an adapter) whose facilitator's
 * RPC is cut after the settlement is sent ({@link CutRpcFacilitator}): the buyer is told 202
 * `settlement_pending` with the hash that landed (never 402/502, never a fresh `PAYMENT-REQUIRED`),
 * the handler ran once; once the RPC heals the SAME payment gets the handler's answer with that
 * transaction and the handler does not run again; a further copy is refused; one transfer on chain.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  createX402Client,
  decodePaymentResponseHeader,
  HeaderNames,
  Reasons,
  type SettleResponse,
} from '@x402kit/core';
import { type Devnet, readTokenBalance } from '@x402kit/devnet';
import { createExactEvmClient } from '@x402kit/evm';
import { type FetchLike, wrapFetchWithPayment } from '@x402kit/http';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { CutRpcFacilitator } from './cut-rpc-facilitator.js';
import { refusalReason, signPaymentHeader } from './replay.js';

/** A paid route under test and how to count its handler's runs. */
export type CutPaidRoute = {
  devnet: Devnet;
  facilitator: CutRpcFacilitator;
  /** The paid URL (a GET). */
  url: string;
  /** How many times the handler (or upstream) ran so far. */
  runs(): number | Promise<number>;
  /** The paid answer's body as text, checked by the caller. */
  checkBody(text: string): void;
};

/** Where a check starts from: the next block, the balances, the handler's runs, the sends cut so far. */
export type CutStart = { fromBlock: bigint; payer: bigint; payTo: bigint; runs: number; cut: number };

/** Read where a check starts from. */
export async function cutStart(route: CutPaidRoute): Promise<CutStart> {
  const { devnet, facilitator } = route;
  const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);
  return {
    fromBlock: await facilitator.nextBlock(),
    payer: await balance(devnet.accounts.payer.address),
    payTo: await balance(devnet.accounts.payTo.address),
    runs: await route.runs(),
    cut: facilitator.sendsCut(),
  };
}

/**
 * Since `start`: the handler ran once, one transfer of `price` landed in `transaction`, the
 * balances moved by exactly `price`, and the ledger settled it.
 */
export async function assertPaidOnce(
  route: CutPaidRoute,
  start: CutStart,
  transaction: string,
  price: bigint,
): Promise<void> {
  const { devnet, facilitator } = route;
  assert.equal((await route.runs()) - start.runs, 1, 'one payment, one handler run');
  const transfers = await facilitator.transfersSince(start.fromBlock);
  assert.equal(transfers.length, 1, 'exactly one transfer on chain');
  assert.equal(transfers[0]?.transactionHash, transaction, 'the receipt names the landed transfer');
  const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);
  assert.equal(start.payer - (await balance(devnet.accounts.payer.address)), price, 'the payer paid once');
  assert.equal((await balance(devnet.accounts.payTo.address)) - start.payTo, price, 'payTo received once');
  await facilitator.settled(transaction);
}

/** A 202 pending answer: the pending receipt with a hash, `Retry-After`, no `PAYMENT-REQUIRED`. */
export function assertPendingAnswer(
  status: number,
  headers: { get(name: string): string | null | undefined },
  body: string,
): SettleResponse {
  assert.equal(status, 202, `a pending settlement answers 202 (never 402/502): ${status} ${body}`);
  assert.equal(headers.get(HeaderNames.paymentRequired) ?? null, null, 'pending never asks to pay again');
  const receipt = decodePaymentResponseHeader(headers.get(HeaderNames.paymentResponse) ?? '');
  assert.equal(receipt.success, false);
  assert.equal(receipt.errorReason, Reasons.settlementPending, JSON.stringify(receipt));
  assert.match(receipt.transaction, /^0x[0-9a-f]{64}$/);
  assert.ok(headers.get('retry-after'), 'a pending answer says when to come back');
  return receipt;
}

/**
 * One payment header sent with the RPC cut after the send: 202 pending with the hash, the handler
 * ran once; the RPC heals; the same header sent 5 times at once: one gets 200, the handler's body
 * and the same transaction, without a second run, the others 402 `duplicate_settlement`; a further
 * copy is refused too; one transfer.
 */
export async function assertCutThenSameHeaderSettles(route: CutPaidRoute, price: bigint): Promise<string> {
  const { facilitator, url } = route;
  const start = await cutStart(route);
  const header = await signPaymentHeader(route.devnet, url);
  const send = () => fetch(url, { headers: { [HeaderNames.paymentSignature]: header } });
  let hash: string;
  try {
    facilitator.cutAfterSend();
    const pending = await send();
    const text = await pending.text();
    assert.ok(facilitator.sendsCut() > start.cut, 'the settlement was sent through the cut RPC');
    hash = assertPendingAnswer(pending.status, pending.headers, text).transaction;
    assert.equal(await route.runs(), start.runs + 1, 'the handler ran once for the pending payment');
    assert.equal(await facilitator.paymentState(hash), 'pending', 'the ledger keeps the hash as pending');
  } finally {
    facilitator.proxy.heal();
  }
  // the buyer's retry and copies of it arrive at once: one gets the answer, the others a refusal
  const answers = await Promise.all(
    Array.from({ length: 5 }, async () => {
      const res = await send();
      return { res, text: await res.text() };
    }),
  );
  const served = answers.filter((a) => a.res.status === 200);
  assert.equal(served.length, 1, `one copy gets the answer: ${answers.map((a) => a.res.status).join(', ')}`);
  for (const { res, text } of answers.filter((a) => a.res.status !== 200)) {
    assert.equal(res.status, 402, `a concurrent copy is refused: ${text}`);
    assert.equal(refusalReason(res, text), Reasons.duplicateSettlement);
  }
  const { res: paid, text } = served[0] as (typeof answers)[number];
  route.checkBody(text);
  const receipt = decodePaymentResponseHeader(paid.headers.get(HeaderNames.paymentResponse) ?? '');
  assert.equal(receipt.success, true, JSON.stringify(receipt));
  assert.equal(receipt.transaction, hash, 'the settled receipt names the pending hash');
  assert.equal(await route.runs(), start.runs + 1, 'the retry does not run the handler again');

  const replay = await send();
  const replayBody = await replay.text();
  assert.equal(replay.status, 402, `a copy of a granted payment is refused: ${replayBody}`);
  assert.equal(refusalReason(replay, replayBody), Reasons.duplicateSettlement);
  await assertPaidOnce(route, start, hash, price);
  return hash;
}

/** What a paying client's run left: its answer and every payment header it sent, in order. */
export type RetryingClientRun = {
  status: number;
  body: string;
  paymentResponse: string | undefined;
  /** Each request's payment header (`PAYMENT-SIGNATURE`), in order. */
  signatures: string[];
  /** The statuses the client saw for its paid requests, in order. */
  statuses: number[];
};

/**
 * A paying client left to wait out the pending settlement: `pay` runs it with the RPC cut after the
 * send (it must call `facilitator.proxy.heal()` once told pending). It ends with 200 and the body,
 * after 202 at least once, having sent ONE payment (every header the same), one run, one transfer.
 */
export async function assertRetryingClientSettles(
  route: CutPaidRoute,
  price: bigint,
  pay: () => Promise<RetryingClientRun>,
): Promise<void> {
  const { facilitator } = route;
  const start = await cutStart(route);
  facilitator.cutAfterSend();
  let run: RetryingClientRun;
  try {
    run = await pay();
  } finally {
    facilitator.proxy.heal();
  }
  assert.equal(run.status, 200, `the client ends with the answer: ${run.body}`);
  route.checkBody(run.body);
  assert.ok(facilitator.sendsCut() > start.cut, 'the settlement went through the cut');
  assert.ok(run.statuses.includes(202), `the client was told pending: ${run.statuses.join(', ')}`);
  assert.equal(run.statuses.at(-1), 200);
  assert.ok(run.signatures.length >= 2, 'the payment was sent again after the pending answer');
  assert.equal(new Set(run.signatures).size, 1, 'the same payment every time: one signature');
  const receipt = decodePaymentResponseHeader(run.paymentResponse ?? '');
  assert.equal(receipt.success, true, JSON.stringify(receipt));
  await assertPaidOnce(route, start, receipt.transaction, price);
}

/**
 * Our paying fetch (its default `pendingSettlement`, `Retry-After` honoured) against the cut route:
 * it is told pending, the RPC heals while it waits, it re-sends the same payment and ends with the
 * answer ({@link assertRetryingClientSettles}).
 */
export async function assertOurFetchWaitsOutPending(route: CutPaidRoute, price: bigint): Promise<void> {
  const { devnet, facilitator } = route;
  const signatures: string[] = [];
  const statuses: number[] = [];
  const observed: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const signature = request.headers.get(HeaderNames.paymentSignature);
    const res = await fetch(request);
    if (signature) {
      signatures.push(signature);
      statuses.push(res.status);
      // told pending: the RPC heals while the client waits to send the same payment again
      if (res.status === 202) facilitator.proxy.heal();
    }
    return res;
  };
  const signer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
  const client = createX402Client({
    schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer }) }],
  });
  const pay = wrapFetchWithPayment(observed, client);
  await assertRetryingClientSettles(route, price, async () => {
    const res = await pay(route.url);
    const body = await res.text();
    const paymentResponse = res.headers.get(HeaderNames.paymentResponse) ?? undefined;
    return { status: res.status, body, paymentResponse, signatures, statuses };
  });
}

/**
 * The two checks as tests of the enclosing `describe`: the buyer's raw payment
 * ({@link assertCutThenSameHeaderSettles}) and our paying fetch ({@link assertOurFetchWaitsOutPending}).
 * `route` is read when each test runs (after `before`).
 */
export function itKeepsTheMoneyPromises(route: () => CutPaidRoute, price: bigint): void {
  it('the buyer is told pending with the landed hash; the same payment after the heal gets the answer, no second run', async () => {
    await assertCutThenSameHeaderSettles(route(), price);
  });
  it('our paying fetch re-sends the same payment while pending and ends with the answer', async () => {
    await assertOurFetchWaitsOutPending(route(), price);
  });
}
