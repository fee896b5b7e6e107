import assert from 'node:assert/strict';
import { errorOf, flowTest } from '@x402kit/testing/http-flow';
import { wrapFetchWithPayment } from '../fetch.js';

flowTest(
  'answers 402 with the facilitator reason when verification fails, 412 for permit2 allowance',
  async (app) => {
    const { stack, hits } = app;
    const url = app.at;
    const paidHits = hits.paid;
    stack.ledger.failVerifyWith = 'insufficient_funds';
    try {
      const res = await wrapFetchWithPayment(fetch, stack.client)(url('/paid'));
      assert.equal(res.status, 402);
      assert.equal(errorOf(res), 'insufficient_funds');
      stack.ledger.failVerifyWith = 'permit2_allowance_required';
      const res412 = await wrapFetchWithPayment(fetch, stack.client)(url('/paid'));
      assert.equal(res412.status, 412);
      assert.equal(errorOf(res412), 'permit2_allowance_required');
    } finally {
      stack.ledger.failVerifyWith = undefined;
    }
    assert.equal(hits.paid, paidHits);
  },
);
