import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep } from './sleep.js';

describe('sleep', () => {
  it('waits about the time asked', async () => {
    const start = performance.now();
    await sleep(30);
    assert.ok(performance.now() - start >= 25);
  });

  it("rejects with the signal's reason when it aborts, and at once when it already has", async () => {
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    await assert.rejects(sleep(10_000, controller.signal), /stop/);
  });
});
