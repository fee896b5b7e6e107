import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSentPermits, type SentPermit, sentPermitKey } from './sent-permits.js';

const entry = (expiration: number): SentPermit => ({
  txid: 'ab'.repeat(32),
  expiration,
  payer: 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz',
  transfer: { token: '00'.repeat(20), from: '00'.repeat(20), to: '00'.repeat(20), amount: 1n },
});

describe('sentPermitKey', () => {
  it('is the same for every form of the buyer and of the nonce; undefined when unreadable', () => {
    const base58 = sentPermitKey(1, {
      paymentPermit: { buyer: 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz', meta: { nonce: '42' } },
    });
    const hex = sentPermitKey(1, {
      paymentPermit: { buyer: '412c7536e3605d9c16a7a3d7b1898e529396a65c23', meta: { nonce: 42 } },
    });
    assert.equal(base58, hex);
    assert.notEqual(
      base58,
      sentPermitKey(2, {
        paymentPermit: { buyer: 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz', meta: { nonce: '42' } },
      }),
    );
    assert.equal(
      sentPermitKey(1, {
        paymentPermit: { buyer: 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U', meta: { nonce: '1' } },
      }),
      undefined,
    );
    assert.equal(sentPermitKey(1, {}), undefined);
  });
});

describe('createSentPermits', () => {
  it('forgets transactions long expired and keeps at most maxEntries', () => {
    let now = 1_000_000;
    const sent = createSentPermits({ maxEntries: 2, now: () => now });
    sent.set('a', entry(now + 60_000));
    now += 200_000; // a expired 140 s ago
    sent.set('b', entry(now + 60_000));
    assert.equal(sent.get('a'), undefined);
    sent.set('c', entry(now + 60_000));
    sent.set('d', entry(now + 60_000));
    assert.equal(sent.size, 2);
    assert.equal(sent.get('b'), undefined);
    assert.ok(sent.get('d'));
  });
});
