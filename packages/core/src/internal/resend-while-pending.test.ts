import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  pendingRetryLimits,
  type ResendWhilePendingSteps,
  resendWhilePending,
} from './resend-while-pending.js';

/**
 * Waits out a server that answers `pending` to the first `pendingResends - 1` re-sends, then `done`;
 * every step (retry with its delay, re-send, give-up) is recorded. `overrides` replace the defaults.
 */
function run(
  first: string,
  pendingResends: number,
  limits: ResendWhilePendingSteps<string>['limits'],
  overrides: Partial<ResendWhilePendingSteps<string>> = {},
) {
  const steps: string[] = [];
  let sent = 0;
  const answer = resendWhilePending(first, {
    limits,
    isPending: (current) => current === 'pending',
    delayMs: () => 1,
    resend: async () => {
      sent++;
      steps.push(`resend ${sent}`);
      return sent < pendingResends ? 'pending' : 'done';
    },
    onRetry: (current, { attempt, delay }) => {
      steps.push(`retry ${attempt} (${current}) in ${delay} ms`);
    },
    onGiveUp: (last) => steps.push(`give up (${last})`),
    ...overrides,
  });
  return { answer, steps };
}

const NEVER = Number.POSITIVE_INFINITY;

describe('pendingRetryLimits', () => {
  it('fills the defaults, keeps what is given, and is undefined for false', () => {
    assert.deepEqual(pendingRetryLimits(undefined), { maxRetries: 5, maxDelayMs: 10_000 });
    assert.deepEqual(pendingRetryLimits({ maxRetries: 2 }), { maxRetries: 2, maxDelayMs: 10_000 });
    assert.deepEqual(pendingRetryLimits({ maxDelayMs: 50 }), { maxRetries: 5, maxDelayMs: 50 });
    assert.equal(pendingRetryLimits(false), undefined);
  });
});

describe('resendWhilePending', () => {
  // each case: the limits, the delay the pending answers ask for, the result, how many re-sends
  // (each told beforehand with its capped delay) and whether it gave up still pending
  const cases = [
    {
      name: 're-sends while pending, each after its capped delay, and stops at the first settled answer',
      pendingResends: 3,
      limits: { maxRetries: 5, maxDelayMs: 5 },
      askedDelay: 1_000,
      result: { answer: 'done', resends: 3, delay: 5, gaveUp: false },
    },
    {
      name: 'gives up after maxRetries re-sends and returns the pending answer',
      pendingResends: NEVER,
      limits: { maxRetries: 2, maxDelayMs: 10_000 },
      askedDelay: 1,
      result: { answer: 'pending', resends: 2, delay: 1, gaveUp: true },
    },
    {
      name: 'gives up at once with maxRetries 0',
      pendingResends: NEVER,
      limits: { maxRetries: 0, maxDelayMs: 10 },
      askedDelay: 1,
      result: { answer: 'pending', resends: 0, delay: 1, gaveUp: true },
    },
  ];
  for (const { name, pendingResends, limits, askedDelay, result } of cases) {
    it(name, async () => {
      const { answer, steps } = run('pending', pendingResends, limits, { delayMs: () => askedDelay });
      assert.equal(await answer, result.answer);
      const resends = Array.from({ length: result.resends }, (_, i) => [
        `retry ${i + 1} (pending) in ${result.delay} ms`,
        `resend ${i + 1}`,
      ]).flat();
      assert.deepEqual(steps, result.gaveUp ? [...resends, 'give up (pending)'] : resends);
    });
  }

  it('returns the first answer untouched without limits (the option was false) or when it is not pending', async () => {
    for (const [first, limits] of [
      ['pending', undefined],
      ['done', { maxRetries: 5, maxDelayMs: 10 }],
    ] as const) {
      const { answer, steps } = run(first, NEVER, limits);
      assert.equal(await answer, first);
      assert.deepEqual(steps, []);
    }
  });

  it('waits the delay the answer asks for when under the cap', async () => {
    const start = performance.now();
    await run('pending', 1, { maxRetries: 1, maxDelayMs: 10_000 }, { delayMs: () => 30 }).answer;
    assert.ok(performance.now() - start >= 25);
  });

  it("rejects with the signal's reason when it aborts during a wait, without re-sending", async () => {
    const controller = new AbortController();
    const { answer, steps } = run(
      'pending',
      NEVER,
      { maxRetries: 5, maxDelayMs: 10_000 },
      {
        delayMs: () => 10_000,
        onRetry: () => {
          setTimeout(() => controller.abort(new Error('stop')), 5);
        },
        signal: controller.signal,
      },
    );
    await assert.rejects(answer, /stop/);
    assert.deepEqual(steps, []);
  });
});
