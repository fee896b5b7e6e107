/**
 * The deployment's settlement-key leases, in process: two deployments on one ledger file (as two
 * processes on one host would share it) and one key. No RPC call is made: the networks' URLs are
 * unreachable and nothing is settled.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { evmChain } from '@x402kit/evm/chain-module';
import { baseSepoliaUsdcRequirements } from '@x402kit/testing/signature-scheme';
import { toTronAddress } from '@x402kit/tron';
import { tronChain } from '@x402kit/tron/chain-module';
import { privateKeyToAccount } from 'viem/accounts';
import { createFacilitatorApp, type FacilitatorApp } from './facilitator-app.js';
import { createSqliteKeyLeaseStore, SettlementKeyInUseError } from './key-lease/index.js';
import { parseServiceConfig } from './service-config.js';

// anvil's well-known account 3 (the devnet's facilitator) and 5
const KEY = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6';
const OTHER_KEY = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba';
const ADDRESS = privateKeyToAccount(KEY).address;
const UNREACHABLE = 'http://127.0.0.1:9';
const TRON = {
  networks: { 'tron:nile': { fullHost: UNREACHABLE } },
  fees: { 'tron:nile': { TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf: { amount: '100' } } },
};

const dir = mkdtempSync(join(tmpdir(), 'x402kit-app-leases-'));
const apps: FacilitatorApp[] = [];
after(async () => {
  for (const app of apps) await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(
  path: string,
  instanceId: string,
  sections: { evm?: boolean; tron?: boolean; key?: string },
): Promise<FacilitatorApp> {
  const config = parseServiceConfig(
    {
      ...(sections.evm === false ? {} : { networks: { 'eip155:84532': { rpc: [UNREACHABLE] } } }),
      ...(sections.tron ? { tron: TRON } : {}),
      signers: { privateKeys: [sections.key ?? KEY] },
      ledger: { sqlite: { path } },
      instanceId,
    },
    { chains: [evmChain, tronChain] },
  );
  const app = await createFacilitatorApp(config, { autoStart: false, log: () => {} });
  apps.push(app);
  return app;
}

describe('createFacilitatorApp: one live instance per settlement key', () => {
  it('refuses a second deployment on a held EVM key, naming the address and the holder, and starts it after a clean stop', async () => {
    const path = join(dir, 'evm.db');
    const first = await start(path, 'app-a', {});
    assert.equal(first.keyLeases?.held(), true);
    const refused = await start(path, 'app-b', {}).then(
      () => assert.fail('the second deployment started'),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof SettlementKeyInUseError, String(refused));
    assert.deepEqual(refused.key, { family: 'evm', address: ADDRESS });
    assert.equal(refused.holder, 'app-a');
    assert.doesNotMatch(refused.message, new RegExp(KEY.slice(2), 'i'));

    await first.close();
    const second = await start(path, 'app-b', {});
    assert.equal(second.keyLeases?.held(), true);
    // another key on the same ledger is no conflict
    const third = await start(path, 'app-c', { key: OTHER_KEY });
    assert.equal(third.keyLeases?.held(), true);
    await Promise.all([second.close(), third.close()]);
  });

  it('leases TRON settlement keys too, apart from EVM', async () => {
    const path = join(dir, 'tron.db');
    const tron = await start(path, 'tron-a', { evm: false, tron: true });
    assert.deepEqual(
      tron.keyLeases?.keys.map((k) => k.family),
      ['tron'],
      'a TRON-only deployment leases the TRON account only',
    );
    // the same key for EVM only: another chain family, another sender
    const evm = await start(path, 'evm-b', {});
    await assert.rejects(start(path, 'both-c', { tron: true }), (error: unknown) => {
      assert.ok(error instanceof SettlementKeyInUseError);
      // EVM is asked first and is held by evm-b
      assert.deepEqual(error.key, { family: 'evm', address: ADDRESS });
      return true;
    });
    await evm.close();
    await assert.rejects(start(path, 'both-c', { tron: true }), (error: unknown) => {
      assert.ok(error instanceof SettlementKeyInUseError);
      assert.deepEqual(error.key, { family: 'tron', address: toTronAddress(ADDRESS) });
      assert.equal(error.holder, 'tron-a');
      assert.match(error.message, new RegExp(`settlement key ${toTronAddress(ADDRESS)} \\(tron\\)`));
      return true;
    });
    await tron.close();
    const both = await start(path, 'both-c', { tron: true });
    assert.deepEqual(
      both.keyLeases?.keys.map((k) => k.family),
      ['evm', 'tron'],
    );
    await both.close();
  });

  it('fails /health and refuses to settle while its leases are not held', async () => {
    const path = join(dir, 'fence.db');
    const app = await start(path, 'fenced', {});
    // another process takes the key over (as after a partition that outlived the bound)
    const store = await createSqliteKeyLeaseStore({ path });
    const row = await store.get({ family: 'evm', address: ADDRESS });
    assert.ok(row);
    await store.release(row);
    assert.ok(
      (
        await store.acquire({
          family: 'evm',
          address: ADDRESS,
          holder: 'thief',
          token: 't',
          staleAfterMs: 60_000,
        })
      ).acquired,
    );
    await app.keyLeases?.heartbeat();
    assert.equal(app.keyLeases?.held(), false);

    const health = await app.service.fetch(new Request('http://facilitator.local/health'));
    assert.equal(health.status, 503);
    assert.match(
      await health.text(),
      /lease on settlement key .* was lost: instance \\"thief\\" holds it now/,
    );
    const requirements = baseSepoliaUsdcRequirements({ maxTimeoutSeconds: 60 });
    const answer = await app.facilitator.settle(
      { x402Version: 2, accepted: requirements, payload: {} },
      requirements,
    );
    assert.equal(answer.success, false);
    assert.equal(answer.errorReason, 'unexpected_settle_error');
    assert.match(answer.errorMessage ?? '', /thief/);
    await store.close();
  });
});
