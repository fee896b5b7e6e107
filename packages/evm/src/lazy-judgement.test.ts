import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lazyJudgement } from './lazy-judgement.js';

describe('lazyJudgement', () => {
  it('judges on the first judge() only and remembers the answer', async () => {
    let calls = 0;
    const lazy = lazyJudgement(async () => {
      calls += 1;
      return { valid: true };
    });
    assert.equal(lazy.judged(), undefined);
    assert.equal(calls, 0);
    const first = await lazy.judge();
    assert.deepEqual(first, { valid: true });
    assert.equal(await lazy.judge(), first);
    assert.equal(lazy.judged(), first);
    assert.equal(calls, 1);
  });

  it('callers that ask at once share one judgement; a failed one is made again on the next ask', async () => {
    let calls = 0;
    const lazy = lazyJudgement(async () => {
      calls += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return { valid: true };
    });
    const [a, b] = await Promise.all([lazy.judge(), lazy.judge()]);
    assert.equal(a, b);
    assert.equal(calls, 1);

    let attempts = 0;
    const flaky = lazyJudgement(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('rpc down');
      return 'valid';
    });
    await assert.rejects(flaky.judge(), /rpc down/);
    assert.equal(flaky.judged(), undefined);
    assert.equal(await flaky.judge(), 'valid');
    assert.equal(attempts, 2);
  });
});
