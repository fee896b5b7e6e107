import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tronBroadcastVerdict } from './broadcast-verdict.js';
import { broadcastReason, TronNodeError } from './node-error.js';
import { TronReasons } from './reasons.js';

const path = '/wallet/broadcasttransaction';
const error = (reason: ConstructorParameters<typeof TronNodeError>[0]) =>
  new TronNodeError(reason, reason, { path });

/** java-tron's `result: false` codes of `/wallet/broadcasttransaction` that refuse the transaction. */
const REFUSAL_CODES = [
  'SIGERROR',
  'CONTRACT_VALIDATE_ERROR',
  'TRANSACTION_EXPIRATION_ERROR',
  'BANDWITH_ERROR',
  'TAPOS_ERROR',
  'SERVER_BUSY',
  'OTHER_ERROR',
];

describe('tronBroadcastVerdict', () => {
  for (const code of REFUSAL_CODES) {
    it(`java-tron's ${code} is a refusal`, () => {
      assert.equal(tronBroadcastVerdict(error(broadcastReason(code))), 'refused');
    });
  }

  it('DUP_TRANSACTION_ERROR means the node has it; a rejection without a code is a refusal', () => {
    assert.equal(tronBroadcastVerdict(error(broadcastReason('DUP_TRANSACTION_ERROR'))), 'known');
    assert.equal(tronBroadcastVerdict(error(TronReasons.nodeRejected)), 'refused');
  });

  it('transport trouble proves nothing: reset, 5xx, timeout, rate limit, a malformed answer, a foreign error', () => {
    for (const reason of [
      TronReasons.nodeHttpError,
      TronReasons.nodeTimeout,
      TronReasons.nodeRateLimited,
      TronReasons.nodeBadResponse,
    ]) {
      assert.equal(tronBroadcastVerdict(error(reason)), 'unknown', reason);
    }
    assert.equal(tronBroadcastVerdict(new Error('socket hang up')), 'unknown');
    assert.equal(tronBroadcastVerdict(undefined), 'unknown');
  });
});
