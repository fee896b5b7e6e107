import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PaymentIdentifierReasons } from '../extensions/payment-identifier.js';
import { X402Error } from './errors.js';
import { defineReasons, findReason, listReasons, sharedReason, shareReasons } from './reason-registry.js';
import { Reasons } from './reasons.js';

describe('defineReasons', () => {
  it('returns the table as key -> code, the strings the wire carries', () => {
    const table = defineReasons('test/plain', { late: 'test_plain_late', early: 'test_plain_early' });
    assert.deepEqual({ ...table }, { late: 'test_plain_late', early: 'test_plain_early' });
    const late: 'test_plain_late' = table.late;
    assert.equal(late, 'test_plain_late');
  });

  it('refuses a code another table already defines, naming both and what to do', () => {
    defineReasons('test/first', { taken: 'test_conflict_taken' });
    assert.throws(
      () => defineReasons('test/second', { other: 'test_conflict_taken' }),
      (e: unknown) =>
        e instanceof X402Error &&
        e.reason === Reasons.reasonConflict &&
        /test\/first \(taken\).*test\/second \(other\).*sharedReason/.test(e.message),
    );
    // the same owner under another key is a second meaning too
    assert.throws(() => defineReasons('test/first', { renamed: 'test_conflict_taken' }), X402Error);
    // a core code cannot be defined again by a scheme
    assert.throws(() => defineReasons('test/scheme', { pending: Reasons.settlementPending }), X402Error);
  });

  it('accepts the same definition twice (a module evaluated again)', () => {
    const once = defineReasons('test/twice', { same: 'test_twice_same' });
    const again = defineReasons('test/twice', { same: 'test_twice_same' });
    assert.deepEqual({ ...again }, { ...once });
    assert.equal(listReasons().filter((r) => r.code === 'test_twice_same').length, 1);
  });

  it('reuses another table code with sharedReason and shareReasons, and records who shares it', () => {
    const base = defineReasons('test/base', { a: 'test_share_a', b: 'test_share_b' });
    const extended = defineReasons('test/extended', {
      ...shareReasons(base),
      pending: sharedReason(Reasons.settlementPending),
      own: 'test_share_own',
    });
    assert.deepEqual(
      { ...extended },
      { a: 'test_share_a', b: 'test_share_b', pending: 'settlement_pending', own: 'test_share_own' },
    );
    const a = findReason('test_share_a');
    assert.equal(a?.owner, 'test/base');
    assert.deepEqual(a?.sharedBy, [{ owner: 'test/extended', key: 'a' }]);
    assert.ok(findReason('settlement_pending')?.sharedBy.some((u) => u.owner === 'test/extended'));
  });
});

describe('listReasons and findReason', () => {
  it("list every code of core's tables with its owner and key", () => {
    const listed = new Map(listReasons().map((r) => [r.code, r]));
    for (const [key, code] of Object.entries(Reasons)) {
      assert.equal(listed.get(code)?.owner, '@x402kit/core', code);
      assert.equal(listed.get(code)?.key, key, code);
    }
    for (const code of Object.values(PaymentIdentifierReasons))
      assert.equal(listed.get(code)?.owner, '@x402kit/core/payment-identifier', code);
    const codes = listReasons().map((r) => r.code);
    assert.deepEqual(codes, [...codes].sort());
  });

  it('find a code with a ": detail" suffix, and a code of a prefixed family', () => {
    assert.equal(
      findReason('invalid_exact_evm_transaction_failed: execution reverted')?.key,
      'exactEvmTransactionFailed',
    );
    defineReasons('test/family', { broadcast: 'test_family_broadcast_' });
    const found = findReason('test_family_broadcast_sigerror');
    assert.equal(found?.code, 'test_family_broadcast_');
    assert.equal(found?.prefix, true);
    assert.equal(findReason('test_never_defined'), undefined);
  });

  it('does not count a code only shared, never defined, as found', () => {
    defineReasons('test/orphan', { lonely: sharedReason('test_orphan_lonely') });
    assert.equal(findReason('test_orphan_lonely'), undefined);
    assert.equal(listReasons().find((r) => r.code === 'test_orphan_lonely')?.owner, undefined);
  });
});
