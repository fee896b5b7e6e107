import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHealthCheck } from './health-check.js';
import { createSqliteLedger, type PaymentLedger } from './ledger/index.js';

let ledger: PaymentLedger;
before(async () => {
  ledger = await createSqliteLedger({ path: ':memory:' });
});
after(async () => {
  await ledger.close();
});

// each chain module probes its own nodes (their probes are tested with the modules, on the devnets);
// here: how the service folds the chains' answers and the ledger's into one report
const healthy = async () => ({ 'eip155:84532': 'ok' });

describe('createHealthCheck', () => {
  it('is ok when every chain says ok and the ledger answers', async () => {
    const check = createHealthCheck({ probes: [healthy, async () => ({ 'tron:nile': 'ok' })], ledger });
    assert.deepEqual(await check(), { ok: true });
  });

  it("fails with every chain's details and the ledger's when one of them fails", async () => {
    const closed = await createSqliteLedger({ path: ':memory:' });
    await closed.close();
    const check = createHealthCheck({
      probes: [healthy, async () => ({ 'tron:nile': 'error: no block from the TRON node (HTTP 502)' })],
      ledger: closed,
      timeoutMs: 500,
    });
    const report = await check();
    assert.equal(report.ok, false);
    assert.deepEqual(report.details?.networks, {
      'eip155:84532': 'ok',
      'tron:nile': 'error: no block from the TRON node (HTTP 502)',
    });
    assert.match(String(report.details?.ledger), /^error: /);
  });

  it('reports a probe that throws instead of hiding it', async () => {
    const check = createHealthCheck({
      probes: [
        async () => {
          throw new Error('socket hang up');
        },
      ],
    });
    assert.deepEqual(await check(), { ok: false, details: { networks: { probe: 'error: socket hang up' } } });
  });

  it('fails a ledger that does not answer in time', async () => {
    const stuck = { ...ledger, list: () => new Promise<never>(() => {}) } as PaymentLedger;
    const check = createHealthCheck({ probes: [healthy], ledger: stuck, timeoutMs: 50 });
    const report = await check();
    assert.equal(report.ok, false);
    assert.match(String(report.details?.ledger), /no answer within 50 ms/);
  });
});
