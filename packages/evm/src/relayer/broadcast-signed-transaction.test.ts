/**
 * `broadcastSignedTransaction` when the send throws nothing usable (`undefined`): it stands in an
 * `X402Error` `evm_relayer_send_failed`, proves nothing about the transaction, sends the same bytes
 * once more and answers `unknown` with the hash; a send that then succeeds is `accepted`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import { type Hex, keccak256, type PublicClient } from 'viem';
import { EvmReasons } from '../evm-reasons.js';
import { broadcastSignedTransaction } from './broadcast-signed-transaction.js';

const signed: Hex = '0x02f86b0182';

/** A node whose sends fail with `undefined` `failures` times, then succeed; it never knows the hash. */
function node(failures: number) {
  let sends = 0;
  const client = {
    sendRawTransaction: async () => {
      sends++;
      if (sends <= failures) throw undefined;
      return keccak256(signed);
    },
    request: async () => null,
  } as unknown as Pick<PublicClient, 'sendRawTransaction' | 'request'>;
  return { client, sends: () => sends };
}

describe('broadcastSignedTransaction', () => {
  it('a send that throws undefined is an X402Error evm_relayer_send_failed; the outcome stays unknown', async () => {
    const { client, sends } = node(Number.POSITIVE_INFINITY);
    const outcome = await broadcastSignedTransaction(client, signed);
    assert.equal(outcome.kind, 'unknown');
    assert.equal(outcome.hash, keccak256(signed));
    assert.ok(outcome.error instanceof X402Error);
    assert.equal(outcome.error.reason, EvmReasons.relayerSend);
    assert.equal(outcome.message, 'sendRawTransaction failed');
    assert.equal(sends(), 2, 'the same bytes sent once more');
  });

  it('the second send of the same bytes succeeding is accepted', async () => {
    const { client, sends } = node(1);
    assert.deepEqual(await broadcastSignedTransaction(client, signed), {
      kind: 'accepted',
      hash: keccak256(signed),
    });
    assert.equal(sends(), 2);
  });
});
