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
});
