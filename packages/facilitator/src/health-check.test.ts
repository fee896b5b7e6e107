import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHealthCheck } from './health-check.js';
import { createSqliteLedger, type PaymentLedger } from './ledger/index.js';

let rpcUrl = '';
const server = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: '0x14a34' })); // 84532
});
let ledger: PaymentLedger;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  rpcUrl = `http://127.0.0.1:${(address satisfies AddressInfo).port}`;
  ledger = await createSqliteLedger({ path: ':memory:' });
});
after(async () => {
  server.close();
  await ledger.close();
});

describe('createHealthCheck', () => {
  it('is ok when every network answers its chain id and the ledger answers', async () => {
    const check = createHealthCheck({ rpc: { 'eip155:84532': [rpcUrl] }, ledger });
    assert.deepEqual(await check(), { ok: true });
  });

  it('fails with details on a dead RPC, a wrong chain, or a closed ledger', async () => {
    const closed = await createSqliteLedger({ path: ':memory:' });
    await closed.close();
    const check = createHealthCheck({
      rpc: { 'eip155:84532': ['http://127.0.0.1:1'], 'eip155:1': [rpcUrl] },
      ledger: closed,
      timeoutMs: 500,
    });
    const report = await check();
    assert.equal(report.ok, false);
    const networks = report.details?.networks;
    assert.ok(typeof networks === 'object' && networks !== null);
    assert.match(JSON.stringify(networks), /"eip155:1":"error: RPC is on chain 84532"/);
    assert.match(JSON.stringify(networks), /"eip155:84532":"error: /);
    assert.match(String(report.details?.ledger), /^error: /);
  });

  it('falls back to the next URL of a network', async () => {
    const check = createHealthCheck({
      rpc: { 'eip155:84532': ['http://127.0.0.1:1', rpcUrl] },
      timeoutMs: 500,
    });
    assert.deepEqual(await check(), { ok: true });
  });
});
