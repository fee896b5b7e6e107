import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryPaymentPermitContextStore, paymentPermitContextKey } from './context-store.js';

const now = Math.floor(Date.now() / 1000);
const issued = (key: string, expiresAt = now + 300) => ({
  key,
  validAfter: now - 30,
  validBefore: expiresAt - 30,
  offers: ['0xoffer'],
  expiresAt,
});

describe('createMemoryPaymentPermitContextStore', () => {
  it('keeps at most maxEntries, forgetting the oldest first', async () => {
    const store = createMemoryPaymentPermitContextStore({ maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) store.issue(issued(key));
    assert.equal(store.find('a', now), undefined);
    assert.equal((await store.find('b', now))?.key, 'b');
    assert.equal((await store.find('c', now))?.key, 'c');
  });

  it('forgets an entry after its expiresAt', async () => {
    const store = createMemoryPaymentPermitContextStore();
    store.issue(issued('a', now + 10));
    assert.equal((await store.find('a', now + 10))?.key, 'a');
    assert.equal(store.find('a', now + 11), undefined);
    assert.equal(store.claim('a', 'x', now + 11), undefined);
  });

  it('binds a context to its first claimant only', () => {
    const store = createMemoryPaymentPermitContextStore();
    store.issue(issued('a'));
    assert.equal(store.claim('a', 'first', now), 'first');
    assert.equal(store.claim('a', 'second', now), 'first');
    assert.equal(store.claim('unknown', 'first', now), undefined);
  });

  it('keys a context by payment id (any case) and decimal nonce', () => {
    assert.equal(
      paymentPermitContextKey(`0x${'AB'.repeat(16)}`, '0042'),
      paymentPermitContextKey(`0x${'ab'.repeat(16)}`, 42n),
    );
  });
});
