import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNonceManager } from './nonce-manager.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('nonce manager', () => {
  it('reads the chain once, then counts up locally, one sender at a time', async () => {
    let reads = 0;
    const nonces = createNonceManager({
      readPendingNonce: async () => {
        reads += 1;
        await tick();
        return 7;
      },
    });
    let inside = 0;
    let maxInside = 0;
    const used = await Promise.all(
      Array.from({ length: 20 }, () =>
        nonces.withNextNonce(async (nonce) => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          await tick();
          inside -= 1;
          return nonce;
        }),
      ),
    );
    assert.deepEqual(
      used,
      Array.from({ length: 20 }, (_, i) => 7 + i),
    );
    assert.equal(reads, 1);
    assert.equal(maxInside, 1);
    assert.equal(nonces.peek(), 27);
  });

  it('re-reads the chain after a failed send, and after reset()', async () => {
    let chain = 3;
    let reads = 0;
    const nonces = createNonceManager({
      readPendingNonce: async () => {
        reads += 1;
        return chain;
      },
    });
    assert.equal(await nonces.withNextNonce(async (n) => n), 3);
    await assert.rejects(
      nonces.withNextNonce(async () => {
        throw new Error('nonce too low');
      }),
      /nonce too low/,
    );
    assert.equal(nonces.peek(), undefined);
    chain = 9;
    assert.equal(await nonces.withNextNonce(async (n) => n), 9);
    nonces.reset();
    chain = 12;
    assert.equal(await nonces.withNextNonce(async (n) => n), 12);
    assert.equal(reads, 3);
  });

  it('keeps serving after a failure in the middle of a burst', async () => {
    const nonces = createNonceManager({ readPendingNonce: async () => 0 });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        nonces.withNextNonce(async (n) => {
          if (i === 2) throw new Error('boom');
          return n;
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed')),
      [0, 1, 'failed', 0, 1],
    );
  });
});
