import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAccessLog } from './access-log.js';
import { createJsonLog } from './log.js';

describe('createAccessLog', () => {
  it('writes a JSON line per request with its fields; /health and /metrics only at debug', () => {
    const out: string[] = [];
    const sink = { write: (line: string) => out.push(line) };
    const observe = createAccessLog(
      createJsonLog({ stdout: sink, stderr: sink, fields: { instance: 'fac-1' } }),
    );
    observe({
      endpoint: 'settle',
      method: 'POST',
      path: '/settle',
      status: 200,
      durationMs: 41.23,
      principal: 'key:acme',
      scheme: 'exact',
      network: 'eip155:84532',
      outcome: 'settled',
      payer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      transaction: `0x${'ab'.repeat(32)}`,
    });
    observe({ endpoint: 'health', method: 'GET', path: '/health', status: 200, durationMs: 1 });
    assert.equal(out.length, 1);
    const { time, ...line } = JSON.parse(out[0] ?? '');
    assert.equal(typeof time, 'string');
    assert.deepEqual(line, {
      level: 'info',
      msg: 'POST /settle 200',
      instance: 'fac-1',
      method: 'POST',
      path: '/settle',
      status: 200,
      ms: 41.2,
      key: 'key:acme',
      scheme: 'exact',
      network: 'eip155:84532',
      outcome: 'settled',
      payer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      tx: `0x${'ab'.repeat(32)}`,
    });
  });
});
