import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import { FacilitatorReasons } from '../facilitator-reasons.js';
import { answerWithin } from './answer-within.js';

describe('answerWithin', () => {
  it("passes on the store's answer or its own failure", async () => {
    assert.equal(await answerWithin(Promise.resolve('ok'), 50), 'ok');
    const down = new Error('connection refused');
    await assert.rejects(answerWithin(Promise.reject(down), 50), (error) => error === down);
  });

  it('rejects a store that stays silent with facilitator_store_timeout', async () => {
    await assert.rejects(answerWithin(new Promise<never>(() => {}), 20), (error: unknown) => {
      assert.ok(error instanceof X402Error);
      assert.equal(error.reason, FacilitatorReasons.storeTimeout);
      assert.equal(error.message, 'no answer within 20 ms');
      return true;
    });
  });
});
