import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChainLogEvent } from './chain-module.js';
import { probePerNetwork, readPerNetwork } from './per-network.js';

describe('probePerNetwork', () => {
  it("answers every network, a probe that throws as that network's error", async () => {
    const answers = await probePerNetwork(
      [
        ['eip155:1', 'a'],
        ['eip155:2', 'b'],
      ],
      async (network) => {
        if (network === 'eip155:2') throw new Error('connect ECONNREFUSED');
        return 'ok';
      },
    );
    assert.deepEqual(answers, { 'eip155:1': 'ok', 'eip155:2': 'error: connect ECONNREFUSED' });
  });
});

describe('readPerNetwork', () => {
  it('keeps the readings of the networks that answer and logs the one that fails', async () => {
    const events: ChainLogEvent[] = [];
    const readings = await readPerNetwork(
      [
        ['tron:nile', 'node-a'],
        ['tron:shasta', 'node-b'],
      ],
      async (network, node) => {
        if (node === 'node-b') throw new Error('HTTP 503');
        return [{ network, address: 'T1', balance: 5n, nonceLag: 0 }];
      },
      (event) => events.push(event),
    );
    assert.deepEqual(readings, [{ network: 'tron:nile', address: 'T1', balance: 5n, nonceLag: 0 }]);
    assert.deepEqual(events, [
      {
        level: 'warn',
        message: 'relayer monitor: cannot read relayer balances',
        data: { network: 'tron:shasta', error: 'HTTP 503' },
      },
    ]);
  });
});
