/**
 * Withdrawal pressure without a node: the channels a read says a payer started withdrawing are marked
 * (only those the store had not marked yet are asked about), and a failed read leaves every channel as
 * it was and reaches `onError` as an `X402Error` with the read's error as its cause.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import { sampleChannel } from '@x402kit/testing/channel-samples';
import type { Hex } from 'viem';
import { markWithdrawals } from './claim-withdrawals.js';
import { BatchSettlementReasons } from './reasons.js';

describe('markWithdrawals', () => {
  it('marks the channels whose payer started a withdrawal and asks only about unmarked ones', async () => {
    const started = sampleChannel();
    const quiet = sampleChannel();
    const known = sampleChannel({ withdrawRequestedAt: 5 });
    const asked: Hex[][] = [];
    await markWithdrawals(
      async (ids) => {
        asked.push([...ids]);
        return new Map([[started.channelId, 1_700_000_000]]);
      },
      [started, quiet, known],
      (error) => assert.fail(error),
    );
    assert.deepEqual(asked, [[started.channelId, quiet.channelId]]);
    assert.deepEqual(
      [started, quiet, known].map((c) => c.withdrawRequestedAt),
      [1_700_000_000, 0, 5],
    );
  });

  it('hands a failed read to onError (rpc_read_failed, the cause kept) and marks nothing', async () => {
    const channel = sampleChannel();
    const down = new Error('fetch failed');
    const errors: Error[] = [];
    await markWithdrawals(
      async () => {
        throw down;
      },
      [channel],
      (error) => errors.push(error),
    );
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof X402Error);
    assert.equal(errors[0].reason, BatchSettlementReasons.rpcReadFailed);
    assert.equal(errors[0].message, 'reading pending withdrawals failed: fetch failed');
    assert.equal(errors[0].cause, down);
    assert.equal(channel.withdrawRequestedAt, 0);
  });
});
