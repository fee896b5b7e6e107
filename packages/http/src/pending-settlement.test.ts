import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePaymentResponseHeader, encodePaymentResponseHeader, Reasons } from '@x402kit/core';
import { TEST_NETWORK, TEST_SCHEME } from '@x402kit/testing/test-ledger';
import { createTestStack, PAID_CONTENT, PAY_TO } from '@x402kit/testing/test-stack';
import { type FetchLike, getPaymentResponse, wrapFetchWithPayment } from './fetch.js';
import { isSettlementPending, retryAfterMs } from './pending-settlement.js';
import { createPaymentHandler } from './server.js';

const option = { scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: PAY_TO, price: '$0.01' };

function pendingStack() {
  const stack = createTestStack();
  let handlerRuns = 0;
  const payments = createPaymentHandler({
    routes: { 'GET /paid': { accepts: option } },
    server: stack.server,
    pendingRetryAfterSeconds: 0,
  });
  const seen: Array<{ status: number; signature: string | null }> = [];
  const call: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const response = await payments.handle(request, async () => {
      handlerRuns++;
      return new Response(PAID_CONTENT);
    });
    seen.push({ status: response.status, signature: request.headers.get('payment-signature') });
    return response;
  };
  return { stack, call, seen, handlerRuns: () => handlerRuns };
}

describe('settlement pending', () => {
  it('answers 202 with PAYMENT-RESPONSE and Retry-After, never a fresh 402, and withholds the content', async () => {
    const { stack, call } = pendingStack();
    stack.ledger.failSettleWith = Reasons.settlementPending;
    const pay = wrapFetchWithPayment(call, stack.client, { pendingSettlement: false });
    const res = await pay('http://127.0.0.1/paid');
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('payment-required'), null);
    assert.equal(res.headers.get('retry-after'), '0');
    const settlement = decodePaymentResponseHeader(res.headers.get('payment-response') ?? '');
    assert.equal(settlement.success, false);
    assert.equal(settlement.errorReason, Reasons.settlementPending);
    const body = await res.text();
    assert.ok(!body.includes(PAID_CONTENT));
    assert.equal(JSON.parse(body).status, Reasons.settlementPending);
    assert.equal(isSettlementPending(res), true);
  });

  it('the paying fetch re-sends the SAME payment until settled, without a second signature, verify or handler run', async () => {
    const { stack, call, seen, handlerRuns } = pendingStack();
    stack.ledger.failSettleWith = Reasons.settlementPending;
    let settles = 0;
    const counting: FetchLike = async (input, init) => {
      const res = await call(input, init);
      if (res.status === 202 && ++settles === 2) stack.ledger.failSettleWith = undefined;
      return res;
    };
    const pay = wrapFetchWithPayment(counting, stack.client);
    const res = await pay('http://127.0.0.1/paid');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), PAID_CONTENT);
    assert.equal(getPaymentResponse(res)?.success, true);
    assert.deepEqual(
      seen.map((s) => s.status),
      [402, 202, 202, 200],
    );
    const signatures = new Set(seen.slice(1).map((s) => s.signature));
    assert.equal(signatures.size, 1, 'one payment header for every retry');
    assert.equal(stack.ledger.calls.verify, 1, 'the retries skip verification');
    assert.equal(stack.ledger.settlements.length, 1);
    assert.equal(handlerRuns(), 1, 'the handler ran once; its held output went to the retry that settled');
  });

  it('gives up after maxRetries and returns the pending answer', async () => {
    const { stack, call, seen } = pendingStack();
    stack.ledger.failSettleWith = Reasons.settlementPending;
    const pay = wrapFetchWithPayment(call, stack.client, { pendingSettlement: { maxRetries: 2 } });
    const res = await pay('http://127.0.0.1/paid');
    assert.equal(res.status, 202);
    assert.equal(seen.length, 4);
    assert.equal(stack.ledger.settlements.length, 0);
  });

  it('reads Retry-After as seconds or a date, with a default', () => {
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(retryAfterMs(null), 1000);
    assert.equal(retryAfterMs('soon'), 1000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  });

  it('recognizes a pending answer on 202 or 503 only', () => {
    const header = encodePaymentResponseHeader({
      success: false,
      errorReason: Reasons.settlementPending,
      transaction: '0xabc',
      network: TEST_NETWORK,
    });
    const at = (status: number) => new Response(null, { status, headers: { 'PAYMENT-RESPONSE': header } });
    assert.equal(isSettlementPending(at(202)), true);
    assert.equal(isSettlementPending(at(503)), true);
    assert.equal(isSettlementPending(at(402)), false);
    assert.equal(isSettlementPending(new Response(null, { status: 202 })), false);
  });
});
