import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExactPermitReasons } from './reasons.js';

describe('ExactPermitReasons', () => {
  it('are distinct codes under the invalid_exact_permit_ prefix', () => {
    const codes = Object.values(ExactPermitReasons);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.match(code, /^invalid_exact_permit_[a-z_]+$/);
  });

  it("keep BofAI's strings after the prefix where BofAI has one", () => {
    const bofai = [
      'amount_mismatch',
      'payto_mismatch',
      'token_mismatch',
      'fee_to_mismatch',
      'unsupported_token',
      'fee_amount_mismatch',
      'expired',
      'not_yet_valid',
      'invalid_signature',
      'missing_permit',
      'token_not_allowed',
      'missing_context',
    ];
    const codes = new Set<string>(Object.values(ExactPermitReasons));
    for (const name of bofai) assert.ok(codes.has(`invalid_exact_permit_${name}`), name);
  });
});
