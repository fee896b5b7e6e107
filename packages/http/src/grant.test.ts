/**
 * The grant rule in the payment core, with an in-process facilitator that has no ledger (so only
 * the server's own guard stands between copies of a payment): one payment, one handler run, one
 * paid response; the attempt id the facilitator sees; settle-before-handler; a settle call whose
 * outcome is unknown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AnyPaymentPayload,
  type AnyPaymentRequirements,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  type FacilitatorCallOptions,
  type FacilitatorClient,
  Reasons,
  type SettleResponse,
  X402Error,
} from '@x402kit/core';
import { TEST_NETWORK, TEST_SCHEME } from '@x402kit/testing/test-ledger';
import { createTestStack, PAID_CONTENT, PAY_TO } from '@x402kit/testing/test-stack';
import { createPaymentHandler } from './server.js';

const option = { scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: PAY_TO, price: '$0.01' };

type Seen = { endpoint: 'verify' | 'settle' | 'release'; attempt: string | undefined };

/** The in-process facilitator, watched: which attempt each call carried. */
function watched(inner: FacilitatorClient, seen: Seen[]): FacilitatorClient {
  const note = (endpoint: Seen['endpoint'], opts?: FacilitatorCallOptions) =>
    seen.push({ endpoint, attempt: opts?.attempt });
  return {
    supported: () => inner.supported(),
    verify: (p, r, opts) => {
      note('verify', opts);
      return inner.verify(p, r, opts);
    },
    settle: (p, r, opts) => {
      note('settle', opts);
      return inner.settle(p, r, opts);
    },
    release: async (_p, _r, opts) => {
      note('release', opts);
      return { released: true };
    },
  };
}

function setup(
  opts: {
    settle?: 'before-handler';
    paymentIdentifier?: boolean;
    facilitator?: (inner: FacilitatorClient) => FacilitatorClient;
    handler?: () => Promise<Response>;
  } = {},
) {
  const seen: Seen[] = [];
  const base = createTestStack();
  const stack = createTestStack({
    facilitator: watched(opts.facilitator ? opts.facilitator(base.facilitator) : base.facilitator, seen),
  });
  // the watched facilitator wraps the base stack's engine: pay through its ledger
  let runs = 0;
  const payments = createPaymentHandler({
    routes: {
      'GET /paid': {
        accepts: option,
        ...(opts.settle ? { settle: opts.settle } : {}),
        ...(opts.paymentIdentifier ? { paymentIdentifier: true } : {}),
      },
    },
    server: stack.server,
    pendingRetryAfterSeconds: 0,
  });
  const call = (signature?: string) =>
    payments.handle(
      new Request('http://127.0.0.1/paid', signature ? { headers: { 'PAYMENT-SIGNATURE': signature } } : {}),
      async () => {
        runs++;
        return opts.handler ? opts.handler() : new Response(PAID_CONTENT);
      },
    );
  const sign = async () => {
    const unpaid = await call();
    assert.equal(unpaid.status, 402);
    const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
    return encodePaymentSignatureHeader(
      await base.client.createPaymentPayload(required, { paymentIdentifier: 'pay_grant_test_0123456789' }),
    );
  };
  return { ledger: base.ledger, seen, call, sign, runs: () => runs };
}

const reasonOf = (res: Response) =>
  decodePaymentResponseHeader(res.headers.get('payment-response') ?? '').errorReason;

describe('the grant rule in the payment core', () => {
  it('serves one of 10 concurrent copies of a payment; the others get 402 duplicate_settlement', async () => {
    const t = setup({
      handler: async () => {
        await new Promise((r) => setTimeout(r, 20));
        return new Response(PAID_CONTENT);
      },
    });
    const header = await t.sign();
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.call(header)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, ...Array(9).fill(402)]);
    assert.equal(t.runs(), 1);
    assert.equal(t.ledger.settlements.length, 1);
    for (const refused of answers.filter((a) => a.status === 402)) {
      assert.equal(reasonOf(refused), Reasons.duplicateSettlement);
      assert.ok(!(await refused.text()).includes(PAID_CONTENT));
    }
    // later, sequentially: refused with the transaction, without asking the facilitator
    const verifies = t.ledger.calls.verify;
    const again = await t.call(header);
    assert.equal(again.status, 402);
    const said = decodePaymentResponseHeader(again.headers.get('payment-response') ?? '');
    assert.equal(said.errorReason, Reasons.duplicateSettlement);
    assert.equal(said.transaction, t.ledger.settlements[0]?.transaction);
    assert.equal(t.ledger.calls.verify, verifies);
    assert.equal(t.runs(), 1);
  });

  it('answers retries under the same payment id with the one execution, also while it runs', async () => {
    const t = setup({
      paymentIdentifier: true,
      handler: async () => {
        await new Promise((r) => setTimeout(r, 20));
        return new Response(`${PAID_CONTENT} #${t.runs()}`);
      },
    });
    const header = await t.sign();
    const answers = await Promise.all(Array.from({ length: 5 }, () => t.call(header)));
    const later = await t.call(header);
    assert.equal(t.runs(), 1);
    assert.equal(t.ledger.settlements.length, 1);
    const bodies = await Promise.all([...answers, later].map(async (a) => [a.status, await a.text()]));
    for (const [status, body] of bodies) {
      assert.equal(status, 200);
      assert.equal(body, `${PAID_CONTENT} #1`);
    }
  });

  it('sends one fresh attempt id per request on verify and settle', async () => {
    const t = setup();
    assert.equal((await t.call(await t.sign())).status, 200);
    assert.equal((await t.call(await t.sign())).status, 200);
    const [v1, s1, v2, s2] = t.seen;
    assert.deepEqual(
      t.seen.map((s) => s.endpoint),
      ['verify', 'settle', 'verify', 'settle'],
    );
    assert.match(v1?.attempt ?? '', /^att_[0-9a-f]{32}$/);
    assert.equal(s1?.attempt, v1?.attempt);
    assert.equal(s2?.attempt, v2?.attempt);
    assert.notEqual(v2?.attempt, v1?.attempt);
  });

  it('releases the attempt when the handler fails, and settles nothing', async () => {
    const t = setup({ handler: async () => new Response('boom', { status: 500 }) });
    const res = await t.call(await t.sign());
    assert.equal(res.status, 500);
    assert.deepEqual(
      t.seen.map((s) => s.endpoint),
      ['verify', 'release'],
    );
    assert.equal(t.seen[1]?.attempt, t.seen[0]?.attempt);
    assert.equal(t.ledger.settlements.length, 0);
  });

  it("settle: 'before-handler' offers extra.paymentFlow 'upfront' and runs the handler only once settled", async () => {
    const t = setup({ settle: 'before-handler' });
    const unpaid = await t.call();
    const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
    assert.equal(required.x402Version === 2 && required.accepts[0]?.extra?.paymentFlow, 'upfront');
    t.ledger.failSettleWith = 'test_settlement_refused';
    const refused = await t.call(await t.sign());
    assert.equal(refused.status, 402);
    assert.equal(t.runs(), 0, 'no handler run for a payment that did not settle');
    t.ledger.failSettleWith = undefined;
    const paid = await t.call(await t.sign());
    assert.equal(paid.status, 200);
    assert.equal(await paid.text(), PAID_CONTENT);
    assert.equal(t.runs(), 1);
    assert.ok(
      !t.seen.some((s) => s.endpoint === 'verify'),
      'settle verifies: no separate verify, as upfront flows do',
    );
  });

  it('answers 202 when the settle call dies with an unknown outcome; the retry continues the attempt', async () => {
    const outcomes = new Map<string, SettleResponse>();
    let cut = true;
    const t = setup({
      // the facilitator settles, then the connection dies before its answer; a retry of the same
      // attempt gets the stored outcome (what an x402kit facilitator's ledger does)
      facilitator: (inner) => ({
        ...inner,
        settle: async (p: AnyPaymentPayload, r: AnyPaymentRequirements, opts?: FacilitatorCallOptions) => {
          const known = opts?.attempt ? outcomes.get(opts.attempt) : undefined;
          if (known) return known;
          const result = await inner.settle(p, r, opts);
          if (opts?.attempt) outcomes.set(opts.attempt, result);
          if (cut) {
            cut = false;
            throw new X402Error(Reasons.facilitatorUnavailable, 'socket hang up', {
              details: { outcomeUnknown: true },
            });
          }
          return result;
        },
      }),
    });
    const header = await t.sign();
    const first = await t.call(header);
    assert.equal(first.status, 202);
    assert.equal(reasonOf(first), Reasons.settlementPending);
    const second = await t.call(header);
    assert.equal(second.status, 200);
    assert.equal(await second.text(), PAID_CONTENT);
    assert.equal(t.runs(), 1, 'the held output went to the retry');
    assert.equal(t.ledger.settlements.length, 1);
    const settles = t.seen.filter((s) => s.endpoint === 'settle');
    assert.equal(settles.length, 2);
    assert.equal(settles[1]?.attempt, settles[0]?.attempt, 'the retry continued the attempt');
  });

  it('answers a failure, not pending, when the facilitator provably never got the settle call', async () => {
    const t = setup({
      facilitator: (inner) => ({
        ...inner,
        settle: async () => {
          throw new X402Error(Reasons.facilitatorUnavailable, 'connect ECONNREFUSED', {
            details: { outcomeUnknown: false },
          });
        },
      }),
    });
    const res = await t.call(await t.sign());
    assert.equal(res.status, 402);
    assert.equal(reasonOf(res), Reasons.facilitatorUnavailable);
    assert.ok(!(await res.text()).includes(PAID_CONTENT));
  });
});
