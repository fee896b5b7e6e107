import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reasons } from '../protocol/reasons.js';
import { outcomeOfRefusal } from './payment-outcome.js';

describe('outcomeOfRefusal', () => {
  it('keeps counted what may have moved, gives back what was proven refused', () => {
    assert.equal(outcomeOfRefusal(Reasons.settlementPending), 'unknown');
    assert.equal(outcomeOfRefusal(Reasons.duplicateSettlement), 'unknown');
    assert.equal(outcomeOfRefusal(Reasons.insufficientFunds), 'refused');
    assert.equal(outcomeOfRefusal('invalid_exact_evm_signature'), 'refused');
    assert.equal(outcomeOfRefusal(undefined), 'refused');
  });
});
