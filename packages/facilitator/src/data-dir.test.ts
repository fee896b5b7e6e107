import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evmChain } from '@x402kit/evm/chain-module';
import { dataDirectory, defaultLedgerPath } from './data-dir.js';
import { loadServiceConfig } from './service-config.js';

describe('the data directory of the default ledger', () => {
  it('is $X402KIT_DATA_DIR, else $XDG_DATA_HOME/x402kit, else the platform place under the home directory', () => {
    const env = { X402KIT_DATA_DIR: '/srv/x402', XDG_DATA_HOME: '/home/me/.data', HOME: '/home/me' };
    assert.equal(dataDirectory(env), '/srv/x402');
    assert.equal(dataDirectory({ ...env, X402KIT_DATA_DIR: '' }), '/home/me/.data/x402kit');
    assert.equal(dataDirectory({ HOME: '/home/me' }, 'linux'), '/home/me/.local/share/x402kit');
    assert.equal(
      dataDirectory({ HOME: '/Users/me' }, 'darwin'),
      '/Users/me/Library/Application Support/x402kit',
    );
    assert.equal(
      dataDirectory({ HOME: '/home/me', LOCALAPPDATA: '/c/AppData/Local' }, 'win32'),
      join('/c/AppData/Local', 'x402kit'),
    );
    assert.equal(defaultLedgerPath({ X402KIT_DATA_DIR: '/srv/x402' }), '/srv/x402/x402kit-ledger.db');
  });

  it('loadServiceConfig puts the ledger there unless the file, the environment or a flag names one', async () => {
    const rpc = { networks: { 'eip155:84532': { rpc: ['http://127.0.0.1:8545'] } } };
    const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
    const env = { X402KIT_DATA_DIR: '/srv/x402', FACILITATOR_PRIVATE_KEY: key };
    const defaulted = await loadServiceConfig({ chains: [evmChain], env, overrides: rpc });
    assert.deepEqual(defaulted.ledger, { sqlite: { path: '/srv/x402/x402kit-ledger.db' } });

    const dir = mkdtempSync(join(tmpdir(), 'x402kit-config-'));
    const named = await loadServiceConfig({
      chains: [evmChain],
      env,
      overrides: { ...rpc, ledger: { sqlite: { path: join(dir, 'mine.db') } } },
    });
    assert.deepEqual(named.ledger, { sqlite: { path: join(dir, 'mine.db') } });

    const postgres = await loadServiceConfig({
      chains: [evmChain],
      env: { ...env, DATABASE_URL: 'postgres://127.0.0.1:5432/x' },
      overrides: rpc,
    });
    assert.deepEqual(postgres.ledger, { postgres: { url: 'postgres://127.0.0.1:5432/x' } });
  });
});
