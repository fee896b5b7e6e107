import assert from 'node:assert/strict';
import type { AnyPaymentRequired } from '@x402kit/core';
import { flowTest } from '@x402kit/testing/http-flow';
import { wrapFetchWithPayment } from '../fetch.js';

flowTest('pays once and does not loop when the server keeps answering 402', async (app) => {
  const { stack } = app;
  const url = app.at;
  let payments = 0;
  const counting = {
    ...stack.client,
    async createPaymentPayload(pr: AnyPaymentRequired) {
      payments++;
      return stack.client.createPaymentPayload(pr);
    },
  };
  let sent = 0;
  const countingFetch: typeof fetch = (input, init) => {
    sent++;
    return fetch(input, init);
  };
  stack.ledger.failVerifyWith = 'invalid_test_ledger_signature';
  try {
    const res = await wrapFetchWithPayment(countingFetch, counting)(url('/paid'));
    assert.equal(res.status, 402);
    assert.equal(payments, 1);
    assert.equal(sent, 2);
  } finally {
    stack.ledger.failVerifyWith = undefined;
  }
});
