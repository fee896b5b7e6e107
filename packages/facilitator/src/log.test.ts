import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evmChain } from '@x402kit/evm/chain-module';
import { createJsonLog } from './log.js';
import { parseServiceConfig } from './service-config.js';
import { parseTraceparent } from './telemetry/traceparent.js';

/** A sink that keeps the lines written to it. */
function capture(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(line) };
}

describe('createJsonLog', () => {
  it('writes one JSON object per line with level, time, msg and fields; warnings to stderr', () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = createJsonLog({
      level: 'info',
      stdout: { write: (line: string) => out.push(line) },
      stderr: { write: (line: string) => err.push(line) },
      fields: { instance: 'fac-1' },
      now: () => Date.UTC(2026, 0, 1),
    });
    log({ level: 'debug', message: 'hidden' });
    log({ level: 'info', message: 'settle: settled', data: { tx: '0xab', gas: 21000n } });
    log({ level: 'warn', message: 'relayer gas balance is low', data: { balanceWei: '1' } });
    assert.equal(out.length, 1);
    assert.deepEqual(JSON.parse(out[0] ?? ''), {
      level: 'info',
      time: '2026-01-01T00:00:00.000Z',
      msg: 'settle: settled',
      instance: 'fac-1',
      tx: '0xab',
      gas: '21000',
    });
    assert.equal(JSON.parse(err[0] ?? '').level, 'warn');
    assert.ok(out[0]?.endsWith('\n'));
  });
  it('writes each line to one stream only, nested bigints as strings, and never throws on odd data', () => {
    const [stdout, stderr] = [capture(), capture()];
    const log = createJsonLog({ level: 'debug', stdout, stderr });
    const out = stdout.lines;
    const err = stderr.lines;
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    log({ level: 'debug', message: 'probe', data: { fees: [1n, { wei: 2n }] } });
    log({ level: 'error', message: 'unexpected error in /settle', data: { circular } });
    assert.equal(out.length, 1);
    assert.equal(err.length, 1);
    const debug = JSON.parse(out[0] ?? '');
    assert.equal(debug.level, 'debug');
    assert.deepEqual(debug.fees, ['1', { wei: '2' }]);
    assert.equal(typeof debug.time, 'string');
    assert.equal(new Date(debug.time).toISOString(), debug.time);
    const error = JSON.parse(err[0] ?? '');
    assert.equal(error.level, 'error');
    assert.equal(error.msg, 'unexpected error in /settle');
    assert.equal(error.circular.name, 'loop');
  });
});

describe('parseTraceparent', () => {
  it('reads a W3C traceparent and refuses malformed ones', () => {
    assert.deepEqual(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: '00f067aa0ba902b7',
    });
    for (const bad of [
      null,
      '',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
      'garbage',
    ]) {
      assert.equal(parseTraceparent(bad), undefined, String(bad));
    }
  });
});

describe('operations config', () => {
  const base = {
    networks: { 'eip155:84532': { rpc: ['http://127.0.0.1:8545'] } },
    signers: { privateKeys: [`0x${'11'.repeat(32)}`] },
  };
  it('fills the defaults of the reconciler, monitoring, log, telemetry and shutdown', () => {
    const config = parseServiceConfig(base, { chains: [evmChain] });
    assert.equal(config.reconciler.intervalMs, 5000);
    assert.equal(config.reconciler.enabled, true);
    assert.equal(config.shutdown.drainTimeoutMs, 30_000);
    assert.equal(config.log.level, 'info');
    assert.equal(config.telemetry.otlpEndpoint, undefined);
    assert.equal(config.monitoring.lowBalanceWei, undefined);
    assert.equal(
      parseServiceConfig({ ...base, monitoring: { lowBalanceWei: '10' } }, { chains: [evmChain] }).monitoring
        .lowBalanceWei,
      10n,
    );
  });
  it('names the field of a bad value', () => {
    assert.throws(
      () => parseServiceConfig({ ...base, reconciler: { intervalMs: 1 } }, { chains: [evmChain] }),
      /reconciler\.intervalMs/,
    );
    assert.throws(
      () => parseServiceConfig({ ...base, telemetry: { otlpEndpoint: 'nope' } }, { chains: [evmChain] }),
      /telemetry\.otlpEndpoint/,
    );
    assert.throws(
      () => parseServiceConfig({ ...base, monitoring: { lowBalanceWei: '1.5' } }, { chains: [evmChain] }),
      /monitoring\.lowBalanceWei/,
    );
  });
});
